using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlpTrainer.Samples.Data;
using MlpTrainer.Samples.Output;
using Spectre.Console;

namespace MlpTrainer.Samples.Samples;

/// <summary>
/// The main sample, the whole life of a model on one page: train an MLP on the Iris table with a progress bar, evaluate
/// it with ML.NET's evaluator, chart its loss, save it, load it back in a fresh MLContext and predict with a
/// PredictionEngine.
/// </summary>
public static class IrisSample
{
    public const int Epochs = 100;

    public static int Run(IAnsiConsole console, string modelPath, int seed, string? onnxPath = null)
    {
        console.Write(new Rule("[bold]MlpTrainer[/] · Iris").LeftJustified());
        var ml = new MLContext(seed);
        IDataView all = ml.Data.LoadFromEnumerable(IrisTable.Load());
        DataOperationsCatalog.TrainTestData split = ml.Data.TrainTestSplit(all, testFraction: 0.3, seed: seed);
        console.MarkupLine($"{Count(all)} flowers: {Count(split.TrainSet)} to train on (20% of them held out for validation), {Count(split.TestSet)} to test.");

        // 1. The pipeline: species → key, four measurements → one normalized vector, the MLP, key → species.
        var progress = new EpochProgressBar(console, "MLP 4-16-3", Epochs);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", nameof(IrisFlower.Species), keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.Concatenate("Features", nameof(IrisFlower.SepalLength), nameof(IrisFlower.SepalWidth),
                nameof(IrisFlower.PetalLength), nameof(IrisFlower.PetalWidth)))
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpOptions
            {
                HiddenLayerSizes = new[] { 16 },
                LearningRate = 0.01f,
                BatchSize = 16,
                NumberOfEpochs = Epochs,
                ValidationFraction = 0.2f,   // for the validation curve
                Seed = seed,
                Progress = progress,         // an IProgress<MlpEpochReport>: one report per epoch
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue(nameof(IrisPrediction.PredictedSpecies), "PredictedLabel"));

        // 2. Train.
        var model = progress.Run(() => pipeline.Fit(split.TrainSet));

        // 3. Evaluate on the test rows with ML.NET's own evaluator.
        IDataView scored = model.Transform(split.TestSet);
        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(scored);
        MulticlassMetricsView.Show(console, metrics, KeyNames.Of(scored.Schema["Label"]));

        // 4. The loss per epoch, kept in the model.
        MlpModelParameters mlp = model.OfType<MulticlassPredictionTransformer<MlpModelParameters>>().Single().Model;
        console.Write(LossChart.Create(mlp.TrainingHistory, "cross-entropy"));

        // 5. Save, load back in a fresh MLContext, predict.
        ml.Model.Save(model, all.Schema, modelPath);
        console.MarkupLineInterpolated($"Saved the model to [link]{Path.GetFullPath(modelPath)}[/] ({new FileInfo(modelPath).Length / 1024.0:F1} KB).");

        var fresh = new MLContext();
        ITransformer loaded = fresh.Model.Load(modelPath, out _);
        PredictionEngine<IrisFlower, IrisPrediction> engine = fresh.Model.CreatePredictionEngine<IrisFlower, IrisPrediction>(loaded);
        var predictions = new Table().Title("Predictions of the reloaded model")
            .AddColumns("Sepals and petals (cm)", "Actual", "Predicted", "Probability");
        foreach (IrisFlower flower in ml.Data.CreateEnumerable<IrisFlower>(split.TestSet, reuseRowObject: false).Where((_, i) => i % 9 == 0))
        {
            IrisPrediction prediction = engine.Predict(flower);
            string color = prediction.PredictedSpecies == flower.Species ? "green" : "red";
            predictions.AddRow($"{flower.SepalLength:F1} × {flower.SepalWidth:F1}, {flower.PetalLength:F1} × {flower.PetalWidth:F1}",
                flower.Species, $"[{color}]{prediction.PredictedSpecies}[/]", $"{prediction.Score.Max():F3}");
        }
        console.Write(predictions);

        if (onnxPath is not null)
        {
            // The whole pipeline: the four measurements are the graph's inputs (N × 1 each), joined like Concatenate; the
            // normalizer is folded into the first layer; the species' key mapping is only needed to train; the
            // key-to-species mapping becomes an output.
            ml.Model.ExportMlpToOnnx(model, all.Schema, onnxPath);
            console.MarkupLineInterpolated($"Exported the model to ONNX: [link]{Path.GetFullPath(onnxPath)}[/] (inputs \"SepalLength\", \"SepalWidth\", \"PetalLength\", \"PetalWidth\": N × 1 each; outputs \"Score\", \"{nameof(IrisPrediction.PredictedSpecies)}\").");
        }
        return 0;
    }

    private static long Count(IDataView data)
    {
        long rows = 0;
        using DataViewRowCursor cursor = data.GetRowCursor(Array.Empty<DataViewSchema.Column>());
        while (cursor.MoveNext())
            rows++;
        return rows;
    }
}
