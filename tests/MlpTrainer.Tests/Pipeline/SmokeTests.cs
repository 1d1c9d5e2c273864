using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Tests.Pipeline;

public class SmokeTests
{
    private sealed class Row
    {
        public float Label { get; set; }
        [VectorType(2)] public float[] Features { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void TrainsEvaluatesSavesAndLoads()
    {
        var ml = new MLContext(seed: 1);
        var rand = new Random(3);
        var rows = Enumerable.Range(0, 600).Select(i =>
        {
            int c = i % 3;
            return new Row { Label = c, Features = new[] { c * 2f + (float)rand.NextDouble(), (float)rand.NextDouble() - c } };
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(new MlpEstimator(ml, new MlpOptions { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 30, BatchSize = 32, LearningRate = 0.01f, Seed = 0 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", "PredictedLabel"));
        var model = pipeline.Fit(data);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));
        Assert.True(metrics.MicroAccuracy > 0.95, $"accuracy {metrics.MicroAccuracy}");
        var path = Path.GetTempFileName();
        ml.Model.Save(model, data.Schema, path);
        var loaded = new MLContext().Model.Load(path, out _);
        var m2 = ml.MulticlassClassification.Evaluate(loaded.Transform(data));
        Assert.Equal(metrics.LogLoss, m2.LogLoss);
    }
}
