using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Samples.Data;

namespace MlpTrainer.Samples;

/// <summary>
/// The main sample: train an MLP on the Iris table, evaluate it with ML.NET's evaluator, save it, load it back
/// and predict with a PredictionEngine — the whole life of a model in one page.
/// </summary>
public static class IrisSample
{
    private sealed class Prediction
    {
        public string PredictedSpecies { get; set; } = "";
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    public static int Run(TextWriter output)
    {
        var ml = new MLContext(seed: 0);
        IDataView all = ml.Data.LoadFromEnumerable(IrisTable.Load());
        DataOperationsCatalog.TrainTestData split = ml.Data.TrainTestSplit(all, testFraction: 0.3, seed: 0);

        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Species")
            .Append(ml.Transforms.Concatenate("Features", "SepalLength", "SepalWidth", "PetalLength", "PetalWidth"))
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpOptions
            {
                HiddenLayerSizes = new[] { 16 },
                LearningRate = 0.01f,
                BatchSize = 16,
                NumberOfEpochs = 100,
                Seed = 0,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedSpecies", "PredictedLabel"));

        output.WriteLine("Training a 4-16-3 MLP on 70% of the Iris table...");
        ITransformer model = pipeline.Fit(split.TrainSet);

        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
        output.WriteLine($"Test set: micro-accuracy {metrics.MicroAccuracy:F3}, macro-accuracy {metrics.MacroAccuracy:F3}, log-loss {metrics.LogLoss:F3}");
        output.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());

        string path = Path.Combine(Path.GetTempPath(), "mlptrainer-iris-model.zip");
        ml.Model.Save(model, all.Schema, path);
        output.WriteLine($"Saved the model to {path}.");

        var reloaded = new MLContext().Model.Load(path, out _);
        var engine = ml.Model.CreatePredictionEngine<IrisTable.Flower, Prediction>(reloaded);
        output.WriteLine("Predictions of the reloaded model:");
        foreach (var flower in new[]
        {
            new IrisTable.Flower { SepalLength = 5.1f, SepalWidth = 3.5f, PetalLength = 1.4f, PetalWidth = 0.2f },
            new IrisTable.Flower { SepalLength = 6.4f, SepalWidth = 3.2f, PetalLength = 4.5f, PetalWidth = 1.5f },
            new IrisTable.Flower { SepalLength = 6.3f, SepalWidth = 3.3f, PetalLength = 6.0f, PetalWidth = 2.5f },
        })
        {
            Prediction p = engine.Predict(flower);
            output.WriteLine($"  {flower.SepalLength}, {flower.SepalWidth}, {flower.PetalLength}, {flower.PetalWidth} -> {p.PredictedSpecies} " +
                             $"(p = {p.Score.Max():F3})");
        }
        return 0;
    }
}
