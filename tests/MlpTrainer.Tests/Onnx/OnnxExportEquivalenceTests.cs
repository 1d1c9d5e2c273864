using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;
using static MlpTrainer.Tests.Onnx.OnnxTestData;

namespace MlpTrainer.Tests.Onnx;

/// <summary>
/// Every task, alone and in its usual pipeline, exported and run in ONNX Runtime on 1,000 rows it was not trained
/// on, once as one batch of 1,000 and once row by row: scores within 1e-5 of ML.NET's, predicted labels identical.
/// </summary>
public class OnnxExportEquivalenceTests
{
    private const int TrainRows = 400;
    private const int ScoredRows = 1000;
    private const double Tolerance = 1e-5;

    private readonly ITestOutputHelper _output;

    public OnnxExportEquivalenceTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void MulticlassTransformerAloneMatchesMlNet()
    {
        var ml = new MLContext(seed: 1);
        IDataView raw = ml.Data.LoadFromEnumerable(Standardised(Multiclass(TrainRows, 1)));
        IDataView train = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
        var model = ml.MulticlassClassification.Trainers.Mlp(SmallOptions()).Fit(train);
        List<ClassRow> rows = Standardised(Multiclass(ScoredRows, 2));
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows));

        using var session = new InferenceSession(Export(ml, model, train.Schema));

        CompareMulticlass(session, "Features", rows.Select(r => r.Features), scored, keyOutput: "PredictedLabel");
    }

    [Fact]
    public void MulticlassPipelineWithMinMaxAndMapKeyToValueMatchesMlNet()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Multiclass(TrainRows, 1));
        ITransformer model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(SmallOptions()))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", "PredictedLabel"))
            .Fit(train);
        List<ClassRow> rows = Multiclass(ScoredRows, 2);
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows));

        using var session = new InferenceSession(Export(ml, model, train.Schema));

        CompareMulticlass(session, "Features", rows.Select(r => r.Features), scored, keyOutput: "PredictedLabel");
        CompareLabelValues<string>(session, "Features", rows.Select(r => r.Features), scored, "PredictedLabelValue");
        Assert.InRange(ml.Data.CreateEnumerable<Prediction>(scored, false).Zip(rows).Count(p => p.First.PredictedLabelValue == p.Second.Label), 0.85 * ScoredRows, ScoredRows);
    }

    [Fact]
    public void MulticlassPipelineWithChainedRenamingNormalizersAndReplacedPredictedLabelMatchesMlNet()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Multiclass(TrainRows, 1));
        var options = SmallOptions();
        options.FeatureColumnName = "Scaled";
        ITransformer model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Ranged", "Features", fixZero: false))
            .Append(ml.Transforms.NormalizeMeanVariance("Scaled", "Ranged", fixZero: false))
            .Append(ml.MulticlassClassification.Trainers.Mlp(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(train);
        List<ClassRow> rows = Multiclass(ScoredRows, 2);
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows));

        using var session = new InferenceSession(Export(ml, model, train.Schema));

        Assert.Equal(new[] { "Features" }, session.InputMetadata.Keys);
        Assert.Equal(new[] { "Score", "PredictedLabel" }, session.OutputMetadata.Keys);
        CompareMulticlass(session, "Features", rows.Select(r => r.Features), scored, keyOutput: null);
        CompareLabelValues<string>(session, "Features", rows.Select(r => r.Features), scored, "PredictedLabel");
    }

    [Fact]
    public void MulticlassPipelineWithMeanVarianceAndSingleLabelValuesMatchesMlNet()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(NumericMulticlass(TrainRows, 1));
        ITransformer model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(SmallOptions()))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedValue", "PredictedLabel"))
            .Fit(train);
        List<NumericClassRow> rows = NumericMulticlass(ScoredRows, 2);
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows));

        using var session = new InferenceSession(Export(ml, model, train.Schema));

        Assert.Equal(typeof(float), session.OutputMetadata["PredictedValue"].ElementType);
        CompareMulticlass(session, "Features", rows.Select(r => r.Features), scored, keyOutput: "PredictedLabel");
        CompareLabelValues<float>(session, "Features", rows.Select(r => r.Features), scored, "PredictedValue");
    }

    [Theory]
    [InlineData(MlpActivation.Identity)]
    [InlineData(MlpActivation.Sigmoid)]
    [InlineData(MlpActivation.Tanh)]
    [InlineData(MlpActivation.ReLU)]
    [InlineData(MlpActivation.LeakyReLU)]
    public void EveryHiddenActivationMatchesMlNet(MlpActivation activation)
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Multiclass(TrainRows, 1));
        ITransformer model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(SmallOptions(epochs: 10, activation)))
            .Fit(train);
        List<ClassRow> rows = Multiclass(ScoredRows, 2);
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows));

        using var session = new InferenceSession(Export(ml, model, train.Schema));

        CompareMulticlass(session, "Features", rows.Select(r => r.Features), scored, keyOutput: "PredictedLabel");
    }

    [Fact]
    public void BinaryPipelineMatchesMlNet()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Binary(TrainRows, 1));
        ITransformer model = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.BinaryClassification.Trainers.Mlp(SmallOptions()))
            .Fit(train);
        List<BinaryRow> rows = Binary(ScoredRows, 2);
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows));

        using var session = new InferenceSession(Export(ml, model, train.Schema));

        CompareBinary(session, rows.Select(r => r.Features), scored);
        Assert.InRange(ml.Data.CreateEnumerable<BinaryPrediction>(scored, false).Zip(rows).Count(p => p.First.PredictedLabel == p.Second.Label), 0.85 * ScoredRows, ScoredRows);
    }

    [Fact]
    public void BinaryTransformerAloneWithAChangedThresholdMatchesMlNet()
    {
        var ml = new MLContext(seed: 1);
        IDataView raw = ml.Data.LoadFromEnumerable(Binary(TrainRows, 1));
        var normalizer = ml.Transforms.NormalizeMeanVariance("Features").Fit(raw);
        IDataView train = normalizer.Transform(raw);
        var trained = ml.BinaryClassification.Trainers.Mlp(SmallOptions()).Fit(train);
        var model = ml.BinaryClassification.ChangeModelThreshold(trained, 1.5f);
        IDataView rows = normalizer.Transform(ml.Data.LoadFromEnumerable(Binary(ScoredRows, 2)));
        IDataView scored = model.Transform(rows);

        using var session = new InferenceSession(Export(ml, model, train.Schema));

        bool[] predicted = scored.GetColumn<bool>("PredictedLabel").ToArray();
        Assert.Equal(scored.GetColumn<float>("Score").Select(s => s > 1.5f), predicted);
        Assert.Contains(false, predicted);
        Assert.Contains(true, predicted);
        CompareBinary(session, rows.GetColumn<float[]>("Features"), scored);
    }

    [Fact]
    public void RegressionPipelineWithLabelScalingMatchesMlNet()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Regression(TrainRows, 1));
        MlpOptions options = SmallOptions();
        options.NormalizeLabel = true;
        ITransformer model = ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.Regression.Trainers.Mlp(options))
            .Fit(train);
        var mlp = (RegressionPredictionTransformer<MlpRegressionModelParameters>)((IEnumerable<ITransformer>)model).Last();
        Assert.NotEqual((0f, 1f), mlp.Model.LabelScaling);
        List<RegressionRow> rows = Regression(ScoredRows, 2);
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows));

        using var session = new InferenceSession(Export(ml, model, train.Schema));

        CompareRegression(session, rows.Select(r => r.Features), scored);
    }

    [Fact]
    public void RobustScalingChainedWithMinMaxFoldsToo()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Regression(TrainRows, 1));
        ITransformer model = ml.Transforms.NormalizeRobustScaling("Features")
            .Append(ml.Transforms.NormalizeMinMax("Features", fixZero: false))
            .Append(ml.Regression.Trainers.Mlp(SmallOptions()))
            .Fit(train);
        List<RegressionRow> rows = Regression(ScoredRows, 2);
        IDataView scored = model.Transform(ml.Data.LoadFromEnumerable(rows));

        using var session = new InferenceSession(Export(ml, model, train.Schema));

        CompareRegression(session, rows.Select(r => r.Features), scored);
    }

    [Fact]
    public void RegressionTransformerAloneMatchesMlNet()
    {
        var ml = new MLContext(seed: 1);
        IDataView raw = ml.Data.LoadFromEnumerable(Regression(TrainRows, 1));
        var normalizer = ml.Transforms.NormalizeMinMax("Features").Fit(raw);
        IDataView train = normalizer.Transform(raw);
        var model = ml.Regression.Trainers.Mlp(SmallOptions()).Fit(train);
        IDataView rows = normalizer.Transform(ml.Data.LoadFromEnumerable(Regression(ScoredRows, 2)));
        IDataView scored = model.Transform(rows);

        using var session = new InferenceSession(Export(ml, model, train.Schema));

        CompareRegression(session, rows.GetColumn<float[]>("Features"), scored);
    }

    [Fact]
    public void AModelSavedAndLoadedExportsToTheSameResults()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Multiclass(TrainRows, 1));
        ITransformer model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(SmallOptions(epochs: 10)))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(train);
        using var zip = new MemoryStream();
        ml.Model.Save(model, train.Schema, zip);
        zip.Position = 0;
        var other = new MLContext();
        ITransformer loaded = other.Model.Load(zip, out DataViewSchema schema);
        List<ClassRow> rows = Multiclass(ScoredRows, 2);
        IDataView scored = loaded.Transform(other.Data.LoadFromEnumerable(rows));

        using var session = new InferenceSession(Export(other, loaded, schema));

        CompareMulticlass(session, "Features", rows.Select(r => r.Features), scored, keyOutput: null);
        CompareLabelValues<string>(session, "Features", rows.Select(r => r.Features), scored, "PredictedLabel");
    }

    private sealed class Prediction
    {
        public string PredictedLabelValue { get; set; } = "";
    }

    private sealed class BinaryPrediction
    {
        public bool PredictedLabel { get; set; }
    }

    private void CompareMulticlass(InferenceSession session, string input, IEnumerable<float[]> featureRows, IDataView scored, string? keyOutput)
    {
        float[] features = Flatten(featureRows);
        float[][] expected = scored.GetColumn<float[]>("Score").ToArray();
        int classes = expected[0].Length;
        Assert.Equal(ScoredRows, expected.Length);

        float[] batch = RunOutput<float>(session, input, features, 0, ScoredRows, "Score");
        double difference = MaxAbsDifference(expected.SelectMany(s => s), batch);
        _output.WriteLine($"multiclass Score: max |ML.NET − ONNX| = {difference:E2} over {ScoredRows} rows × {classes} classes");
        Assert.InRange(difference, 0, Tolerance);
        double single = Enumerable.Range(0, ScoredRows).Max(i => MaxAbsDifference(expected[i], RunOutput<float>(session, input, features, i, 1, "Score")));
        _output.WriteLine($"  row by row (batch 1): {single:E2}");
        Assert.InRange(single, 0, Tolerance);

        if (keyOutput is not null)
        {
            uint[] keys = scored.GetColumn<uint>(keyOutput).ToArray();
            Assert.All(keys, k => Assert.InRange(k, 1u, (uint)classes));
            Assert.Equal(keys, RunOutput<uint>(session, input, features, 0, ScoredRows, keyOutput));
            Assert.Equal(keys.Take(50), Enumerable.Range(0, 50).Select(i => RunOutput<uint>(session, input, features, i, 1, keyOutput).Single()));
        }
    }

    private static void CompareLabelValues<T>(InferenceSession session, string input, IEnumerable<float[]> featureRows, IDataView scored, string column)
    {
        float[] features = Flatten(featureRows);
        T[] expected = scored.GetColumn<T>(column).ToArray();
        Assert.Equal(expected, RunOutput<T>(session, input, features, 0, ScoredRows, column));
        Assert.Equal(expected.Take(50), Enumerable.Range(0, 50).Select(i => RunOutput<T>(session, input, features, i, 1, column).Single()));
    }

    private void CompareBinary(InferenceSession session, IEnumerable<float[]> featureRows, IDataView scored)
    {
        float[] features = Flatten(featureRows);
        float[] score = scored.GetColumn<float>("Score").ToArray();
        float[] probability = scored.GetColumn<float>("Probability").ToArray();
        bool[] label = scored.GetColumn<bool>("PredictedLabel").ToArray();
        Assert.Equal(ScoredRows, score.Length);

        float[] onnxScore = RunOutput<float>(session, "Features", features, 0, ScoredRows, "Score");
        float[] onnxProbability = RunOutput<float>(session, "Features", features, 0, ScoredRows, "Probability");
        double scoreDifference = MaxAbsDifference(score, onnxScore), probabilityDifference = MaxAbsDifference(probability, onnxProbability);
        _output.WriteLine($"binary: max |ML.NET − ONNX| = {scoreDifference:E2} on Score, {probabilityDifference:E2} on Probability over {ScoredRows} rows");
        Assert.InRange(scoreDifference, 0, Tolerance);
        Assert.InRange(probabilityDifference, 0, Tolerance);
        Assert.Equal(label, RunOutput<bool>(session, "Features", features, 0, ScoredRows, "PredictedLabel"));
        double single = Enumerable.Range(0, ScoredRows).Max(i => Math.Abs(score[i] - (double)RunOutput<float>(session, "Features", features, i, 1, "Score").Single()));
        _output.WriteLine($"  row by row (batch 1): {single:E2} on Score");
        Assert.InRange(single, 0, Tolerance);
        Assert.Equal(label, Enumerable.Range(0, ScoredRows).Select(i => RunOutput<bool>(session, "Features", features, i, 1, "PredictedLabel").Single()));
    }

    private void CompareRegression(InferenceSession session, IEnumerable<float[]> featureRows, IDataView scored)
    {
        float[] features = Flatten(featureRows);
        float[] score = scored.GetColumn<float>("Score").ToArray();
        Assert.Equal(ScoredRows, score.Length);

        float[] onnxScore = RunOutput<float>(session, "Features", features, 0, ScoredRows, "Score");
        double difference = MaxAbsDifference(score, onnxScore);
        _output.WriteLine($"regression Score: max |ML.NET − ONNX| = {difference:E2} over {ScoredRows} rows (scores {score.Min():F2} … {score.Max():F2})");
        Assert.InRange(difference, 0, Tolerance);
        double single = Enumerable.Range(0, ScoredRows).Max(i => Math.Abs(score[i] - (double)RunOutput<float>(session, "Features", features, i, 1, "Score").Single()));
        _output.WriteLine($"  row by row (batch 1): {single:E2}");
        Assert.InRange(single, 0, Tolerance);
    }
}
