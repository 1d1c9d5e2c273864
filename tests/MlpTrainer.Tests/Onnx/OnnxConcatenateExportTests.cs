using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static MlpTrainer.Tests.Onnx.OnnxTestData;

namespace MlpTrainer.Tests.Onnx;

/// <summary>
/// The tutorials' pipelines: the feature vector made with <c>Concatenate</c> of separate columns (scalars and vectors),
/// normalized before or after, with <c>CopyColumns</c>. The export has one graph input per data column, and ONNX
/// Runtime reproduces ML.NET's scores within 1e-5 on rows the model was not trained on.
/// </summary>
public class OnnxConcatenateExportTests
{
    private const double Tolerance = 1e-5;

    /// <summary>The four features of <see cref="OnnxTestData"/> as a scalar column, a vector of two and another scalar.</summary>
    private sealed class SplitRow
    {
        public string Label { get; set; } = "";

        public bool IsPositive { get; set; }

        public float Size { get; set; }

        [VectorType(2)]
        public float[] Shape { get; set; } = Array.Empty<float>();

        public float Weight { get; set; }

        public float Fare { get; set; }
    }

    private sealed class ScoredValue
    {
        public float Score { get; set; }
    }

    private sealed class ScoredRow
    {
        public float[] Score { get; set; } = Array.Empty<float>();

        public string PredictedSpecies { get; set; } = "";
    }

    private sealed class ScoredBinaryRow
    {
        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }

    private static List<SplitRow> Split(int count, int seed)
    {
        List<ClassRow> classes = Multiclass(count, seed);
        List<BinaryRow> binary = Binary(count, seed);
        return classes.Zip(binary, (c, b) => new SplitRow
        {
            Label = c.Label,
            IsPositive = b.Label,
            Size = c.Features[0],
            Shape = new[] { c.Features[1], c.Features[2] },
            Weight = c.Features[3],
            Fare = c.Features[0] / 50 - c.Features[1] + 0.001f * c.Features[3],
        }).ToList();
    }

    [Fact]
    public void ConcatenateThenNormalizeThenMlpMatchesMlNet()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Split(400, 1));
        ITransformer model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Concatenate("Features", "Size", "Shape", "Weight"))
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(SmallOptions()))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedSpecies", "PredictedLabel"))
            .Fit(train);
        List<SplitRow> rows = Split(500, 2);
        ScoredRow[] expected = ml.Data.CreateEnumerable<ScoredRow>(model.Transform(ml.Data.LoadFromEnumerable(rows)), false).ToArray();

        using var session = new InferenceSession(Export(ml, model, train.Schema));

        Assert.Equal(new[] { "Size", "Shape", "Weight" }, session.InputMetadata.Keys);
        Assert.Equal(1, session.InputMetadata["Size"].Dimensions[1]);
        Assert.Equal(2, session.InputMetadata["Shape"].Dimensions[1]);
        Assert.Equal(new[] { "Score", "PredictedLabel", "PredictedSpecies" }, session.OutputMetadata.Keys);
        using var results = session.Run(Inputs(rows));
        float[] scores = results.First(r => r.Name == "Score").AsEnumerable<float>().ToArray();
        string[] species = results.First(r => r.Name == "PredictedSpecies").AsEnumerable<string>().ToArray();

        Assert.True(MaxAbsDifference(expected.SelectMany(e => e.Score), scores) <= Tolerance);
        Assert.Equal(expected.Select(e => e.PredictedSpecies), species);
    }

    [Fact]
    public void NormalizersBeforeAndAfterTheConcatenateAndCopiedColumnsMatchMlNet()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Split(400, 1));
        var options = SmallOptions();
        options.LabelColumnName = "IsPositive";
        // Shape is standardised on its own, Size copied and used twice, then the whole vector min-max scaled.
        ITransformer model = ml.Transforms.NormalizeMeanVariance("ShapeZ", "Shape", fixZero: false)
            .Append(ml.Transforms.CopyColumns("SizeCopy", "Size"))
            .Append(ml.Transforms.NormalizeMinMax("Weight", fixZero: false))
            .Append(ml.Transforms.Concatenate("Joined", "SizeCopy", "ShapeZ", "Weight", "Size"))
            .Append(ml.Transforms.NormalizeMinMax("Features", "Joined"))
            .Append(ml.BinaryClassification.Trainers.Mlp(options))
            .Fit(train);
        List<SplitRow> rows = Split(500, 2);
        ScoredBinaryRow[] expected = ml.Data.CreateEnumerable<ScoredBinaryRow>(model.Transform(ml.Data.LoadFromEnumerable(rows)), false).ToArray();

        using var session = new InferenceSession(Export(ml, model, train.Schema));

        Assert.Equal(new[] { "Size", "Shape", "Weight" }, session.InputMetadata.Keys);
        using var results = session.Run(Inputs(rows));
        float[] scores = results.First(r => r.Name == "Score").AsEnumerable<float>().ToArray();
        float[] probabilities = results.First(r => r.Name == "Probability").AsEnumerable<float>().ToArray();
        bool[] labels = results.First(r => r.Name == "PredictedLabel").AsEnumerable<bool>().ToArray();

        Assert.True(MaxAbsDifference(expected.Select(e => e.Score), scores) <= Tolerance);
        Assert.True(MaxAbsDifference(expected.Select(e => e.Probability), probabilities) <= Tolerance);
        Assert.Equal(expected.Select(e => e.PredictedLabel), labels);
        Assert.Contains(labels, l => l);
        Assert.Contains(labels, l => !l);
    }

    [Fact]
    public void TheTaxiFareTutorialsShapeCopiesTheLabelAndConcatenatesTheFeatures()
    {
        // The regression tutorial's pipeline: CopyColumns("Label", "FareAmount") (not needed to score, so left out),
        // Concatenate of the numeric columns, NormalizeMeanVariance, the trainer.
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Split(400, 1));
        ITransformer model = ml.Transforms.CopyColumns("Label", "Fare")
            .Append(ml.Transforms.Concatenate("Features", "Size", "Shape", "Weight"))
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.Regression.Trainers.Mlp(SmallOptions()))
            .Fit(train);
        List<SplitRow> rows = Split(500, 2);
        ScoredValue[] expected = ml.Data.CreateEnumerable<ScoredValue>(model.Transform(ml.Data.LoadFromEnumerable(rows)), false).ToArray();

        using var session = new InferenceSession(Export(ml, model, train.Schema));

        Assert.Equal(new[] { "Size", "Shape", "Weight" }, session.InputMetadata.Keys);
        using var results = session.Run(Inputs(rows));
        float[] scores = results.First(r => r.Name == "Score").AsEnumerable<float>().ToArray();
        Assert.True(MaxAbsDifference(expected.Select(e => e.Score), scores) <= Tolerance);
    }

    [Fact]
    public void CopyColumnsAfterTheMlpAreMoreOutputs()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Binary(200, 1));
        ITransformer model = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.BinaryClassification.Trainers.Mlp(SmallOptions()))
            .Append(ml.Transforms.CopyColumns("Decision", "PredictedLabel"))
            .Append(ml.Transforms.CopyColumns("Odds", "Probability"))
            .Fit(train);
        List<BinaryRow> rows = Binary(300, 2);

        using var session = new InferenceSession(Export(ml, model, train.Schema));

        Assert.Equal(new[] { "Score", "Probability", "PredictedLabel", "Decision", "Odds" }, session.OutputMetadata.Keys);
        var input = new DenseTensor<float>(Flatten(rows.Select(r => r.Features)), new[] { rows.Count, FeatureCount });
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("Features", input) });
        bool[] labels = results.First(r => r.Name == "PredictedLabel").AsEnumerable<bool>().ToArray();
        Assert.Equal(labels, results.First(r => r.Name == "Decision").AsEnumerable<bool>().ToArray());
        Assert.Equal(results.First(r => r.Name == "Probability").AsEnumerable<float>().ToArray(), results.First(r => r.Name == "Odds").AsEnumerable<float>().ToArray());
        Assert.Contains(labels, l => l);
        Assert.Contains(labels, l => !l);
    }

    /// <summary>The three data columns as ONNX Runtime inputs: scalars as [N, 1], the vector as [N, 2].</summary>
    private static NamedOnnxValue[] Inputs(List<SplitRow> rows) => new[]
    {
        NamedOnnxValue.CreateFromTensor("Size", new DenseTensor<float>(rows.Select(r => r.Size).ToArray(), new[] { rows.Count, 1 })),
        NamedOnnxValue.CreateFromTensor("Shape", new DenseTensor<float>(rows.SelectMany(r => r.Shape).ToArray(), new[] { rows.Count, 2 })),
        NamedOnnxValue.CreateFromTensor("Weight", new DenseTensor<float>(rows.Select(r => r.Weight).ToArray(), new[] { rows.Count, 1 })),
    };
}
