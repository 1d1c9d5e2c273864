using Microsoft.ML;
using Microsoft.ML.Data;
using static MlpTrainer.Tests.Onnx.OnnxTestData;

namespace MlpTrainer.Tests.Onnx;

/// <summary>What the export refuses: pipelines with transformers it cannot express (named in the message), models with no MLP, schemas without the features.</summary>
public class OnnxExportUnsupportedTests
{
    private sealed class TwoPartRow
    {
        public string Label { get; set; } = "";

        [VectorType(2)]
        public float[] A { get; set; } = Array.Empty<float>();

        [VectorType(2)]
        public float[] B { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void MissingValueReplacementBeforeTheMlpIsNamed()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Multiclass(100, 1));
        ITransformer model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.ReplaceMissingValues("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(SmallOptions(epochs: 1)))
            .Fit(data);

        var e = Assert.Throws<NotSupportedException>(() => Export(ml, model, data.Schema));
        Assert.Contains("MissingValueReplacingTransformer", e.Message);
        Assert.Contains("step 2 of 3", e.Message);
    }

    [Fact]
    public void AnUnsupportedTransformOnAConcatenatedColumnIsNamedWithTheLineThatExportsTheMlpAlone()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(1);
        IDataView data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 60).Select(i => new TwoPartRow
        {
            Label = (i % 2).ToString(),
            A = new[] { (float)random.NextDouble(), (float)random.NextDouble() },
            B = new[] { (float)random.NextDouble(), i % 2 },
        }).ToList());
        ITransformer model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.ReplaceMissingValues("B"))
            .Append(ml.Transforms.Concatenate("Features", "A", "B"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(SmallOptions(epochs: 1)))
            .Fit(data);

        var e = Assert.Throws<NotSupportedException>(() => Export(ml, model, data.Schema));

        Assert.Contains("Cannot export MissingValueReplacingTransformer (step 2 of 4 in the pipeline)", e.Message);
        const string line = "ml.Model.ExportMlpToOnnx(((IEnumerable<ITransformer>)model).OfType<MulticlassPredictionTransformer<MlpModelParameters>>().Single(), model.Transform(data).Schema, \"mlp.onnx\")";
        Assert.Contains(line, e.Message);
        // The line the message shows works: the MLP alone, fed its 'Features' vector.
        using var stream = new MemoryStream();
        ml.Model.ExportMlpToOnnx(((IEnumerable<ITransformer>)model).OfType<MulticlassPredictionTransformer<MlpModelParameters>>().Single(), model.Transform(data).Schema, stream);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(stream.ToArray());
        Assert.Equal(new[] { "Features" }, session.InputMetadata.Keys);
        Assert.Equal(4, session.InputMetadata["Features"].Dimensions[1]);
    }

    [Fact]
    public void ANonAffineNormalizerIsNamed()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Binary(100, 1));
        ITransformer model = ml.Transforms.NormalizeLogMeanVariance("Features")
            .Append(ml.BinaryClassification.Trainers.Mlp(SmallOptions(epochs: 1)))
            .Fit(data);

        var e = Assert.Throws<NotSupportedException>(() => Export(ml, model, data.Schema));
        Assert.Contains("NormalizingTransformer", e.Message);
        Assert.Contains("CdfNormalizerModelParameters", e.Message);
    }

    [Fact]
    public void ATransformerAfterTheMlpIsNamed()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Binary(100, 1));
        ITransformer model = ml.BinaryClassification.Trainers.Mlp(SmallOptions(epochs: 1))
            .Append(ml.Transforms.Conversion.ConvertType("Decision", "PredictedLabel", DataKind.Single))
            .Fit(data);

        var e = Assert.Throws<NotSupportedException>(() => Export(ml, model, data.Schema));
        Assert.Contains("Cannot export TypeConvertingTransformer (step 2 of 2 in the pipeline)", e.Message);
        Assert.Contains("ml.Model.ExportMlpToOnnx(((IEnumerable<ITransformer>)model).OfType<BinaryPredictionTransformer<MlpBinaryModelParameters>>().Single(), model.Transform(data).Schema, \"mlp.onnx\")", e.Message);
    }

    [Fact]
    public void AnotherTrainersModelIsNamed()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Multiclass(100, 1));
        ITransformer model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 2))
            .Fit(data);

        var e = Assert.Throws<NotSupportedException>(() => Export(ml, model, data.Schema));
        Assert.Contains("MulticlassPredictionTransformer<MaximumEntropyModelParameters>", e.Message);
    }

    [Fact]
    public void APipelineWithoutAnMlpOrASchemaWithoutTheFeaturesIsAnArgumentError()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Regression(100, 1));
        ITransformer normalizer = ml.Transforms.NormalizeMinMax("Features").Fit(data);
        var model = ml.Regression.Trainers.Mlp(SmallOptions(epochs: 1)).Fit(data);
        DataViewSchema noFeatures = ml.Transforms.DropColumns("Features").Fit(data).Transform(data).Schema;

        Assert.Contains("no MlpTrainer prediction transformer", Assert.Throws<ArgumentException>(() => Export(ml, normalizer, data.Schema)).Message);
        Assert.Contains("'Features'", Assert.Throws<ArgumentException>(() => Export(ml, model, noFeatures)).Message);
    }

    [Fact]
    public void AnUnsupportedPipelineLeavesNoFileBehind()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Binary(100, 1));
        ITransformer model = ml.Transforms.ReplaceMissingValues("Features")
            .Append(ml.BinaryClassification.Trainers.Mlp(SmallOptions(epochs: 1)))
            .Fit(data);
        string path = Path.Combine(Path.GetTempPath(), $"mlp-onnx-{Guid.NewGuid():N}.onnx");

        Assert.Throws<NotSupportedException>(() => ml.Model.ExportMlpToOnnx(model, data.Schema, path));
        Assert.False(File.Exists(path));
    }
}
