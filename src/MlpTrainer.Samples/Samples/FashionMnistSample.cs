using System.Diagnostics;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlpTrainer.Samples.Commands;
using MlpTrainer.Samples.Data;
using MlpTrainer.Samples.Output;
using Spectre.Console;

namespace MlpTrainer.Samples.Samples;

/// <summary>
/// The recommended recipe on real Fashion-MNIST: raw pixels min-max scaled to [0, 1], a 784-256-128-10 ReLU network,
/// Adam at 1e-3 with batch 128 and cosine annealing over 20 epochs, 10% of the training images held out to draw the
/// validation curve; evaluated by ML.NET's multiclass evaluator on the 10,000 test images (0.897 test accuracy with seeds 0, 1 and 2).
/// </summary>
public static class FashionMnistSample
{
    public const int DefaultEpochs = 20;

    public static int Run(IAnsiConsole console, FashionMnistSettings settings)
    {
        if (!FashionMnist.IsInstalled(settings.DataDirectory))
            throw new UsageException($"Fashion-MNIST is not installed in {settings.DataDirectory}: run 'apt-get install dataset-fashion-mnist'.");

        console.Write(new Rule("[bold]MlpTrainer[/] · Fashion-MNIST").LeftJustified());
        if (typeof(MlpOptions).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true)
            console.MarkupLine("[yellow]MlpTrainer is a Debug build, about 15× slower: run with -c Release for the full recipe.[/]");
        var ml = new MLContext(seed: settings.Seed);
        FashionMnist trainImages, testImages;
        try
        {
            trainImages = FashionMnist.Load(train: true, maxRows: settings.TrainRows, directory: settings.DataDirectory);
            testImages = FashionMnist.Load(train: false, directory: settings.DataDirectory);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            throw new UsageException(e.Message);   // the message names the file, and says what to install when one is missing
        }
        console.MarkupLine($"{trainImages.Count:N0} training images (10% held out for validation), {testImages.Count:N0} test images, 28×28 grey levels.");

        var progress = new EpochProgressBar(console, "MLP 784-256-128-10", settings.Epochs);
        var options = new MlpOptions
        {
            HiddenLayerSizes = new[] { 256, 128 },
            Activation = MlpActivation.ReLU,
            Optimizer = MlpOptimizer.Adam,
            LearningRate = 0.001f,
            LearningRateSchedule = MlpLearningRateSchedule.Cosine,
            BatchSize = 128,
            NumberOfEpochs = settings.Epochs,
            L2Regularization = 1e-4f,
            ValidationFraction = 0.1f,
            EarlyStoppingPatience = 0,   // the recipe trains every epoch of its cosine schedule
            Seed = settings.Seed,
            Progress = progress,
        };
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(options));

        var watch = Stopwatch.StartNew();
        var model = progress.Run(() => pipeline.Fit(trainImages.ToDataView(ml)));
        TimeSpan trainingTime = watch.Elapsed;

        IDataView scored = model.Transform(testImages.ToDataView(ml));
        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(scored);
        // Keys are ordered by value, so key k is the digit label k.
        IReadOnlyList<string> classNames = KeyNames.Of(scored.Schema["Label"]).Select(label => FashionMnist.ClassNames[int.Parse(label)]).ToArray();
        MulticlassMetricsView.Show(console, metrics, classNames);

        IReadOnlyList<MlpEpochReport> history = model.LastTransformer.Model.TrainingHistory;
        console.Write(LossChart.Create(history, "cross-entropy"));
        LossPlot.SavePng(settings.PlotPath, history, "Fashion-MNIST, 784-256-128-10", "cross-entropy");
        console.MarkupLineInterpolated($"Wrote the loss curves to [link]{Path.GetFullPath(settings.PlotPath)}[/].");
        console.MarkupLineInterpolated(
            $"[bold]Test accuracy {metrics.MicroAccuracy:F4}[/] after {history.Count} epochs ({trainingTime.TotalSeconds:F1} s of training).");

        if (settings.OnnxPath is { } onnxPath)
        {
            // The whole pipeline: the normalizer is folded into the first layer; the input is the 784 raw pixels, "Features".
            ml.Model.ExportMlpToOnnx(model, trainImages.ToDataView(ml).Schema, onnxPath);
            console.MarkupLineInterpolated($"Exported the pipeline to ONNX: [link]{Path.GetFullPath(onnxPath)}[/] (input \"Features\": N × 784 raw pixels; outputs \"Score\", \"PredictedLabel\").");
        }
        return 0;
    }
}
