using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlpTrainer.Samples.Commands;
using MlpTrainer.Samples.Data;
using MlpTrainer.Samples.Output;
using Spectre.Console;

namespace MlpTrainer.Samples.Samples;

/// <summary>
/// Choosing the hidden layer sizes by k-fold cross-validation on the Iris table: each candidate layout is trained k times
/// by <c>MulticlassClassification.CrossValidate</c>, each time tested on the fold it did not see; the layout with the best
/// mean micro-accuracy wins (ties go to the lower log-loss).
/// </summary>
public static class CrossValidationSample
{
    public static readonly int[][] DefaultCandidates = { new[] { 4 }, new[] { 16 }, new[] { 64 }, new[] { 16, 16 }, new[] { 64, 32 } };

    public static int Run(IAnsiConsole console, CrossValidationSettings settings)
    {
        if (settings.Candidates.Count == 0)
            throw new UsageException("Give at least one candidate layout, e.g. --candidates 16 32,16.");

        console.Write(new Rule($"[bold]MlpTrainer[/] · choosing the hidden layers by {settings.Folds}-fold cross-validation on Iris").LeftJustified());
        var ml = new MLContext(settings.Seed);
        IDataView flowers = ml.Data.LoadFromEnumerable(IrisTable.Load());

        var results = new List<CandidateResult>();
        foreach (int[] hidden in settings.Candidates)
        {
            string layout = CommandOptions.FormatSizes(hidden);
            var progress = new EpochProgressBar(console, $"Hidden {layout}, {settings.Folds} folds", settings.Epochs * settings.Folds);
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", nameof(IrisFlower.Species), keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                .Append(ml.Transforms.Concatenate("Features", nameof(IrisFlower.SepalLength), nameof(IrisFlower.SepalWidth),
                    nameof(IrisFlower.PetalLength), nameof(IrisFlower.PetalWidth)))
                .Append(ml.Transforms.NormalizeMinMax("Features"))
                .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpOptions
                {
                    HiddenLayerSizes = hidden,
                    LearningRate = 0.01f,
                    BatchSize = 16,
                    NumberOfEpochs = settings.Epochs,
                    Seed = settings.Seed,
                    Progress = progress,
                }));

            var watch = Stopwatch.StartNew();
            var folds = progress.Run(() => ml.MulticlassClassification.CrossValidate(flowers, pipeline, settings.Folds, labelColumnName: "Label", seed: settings.Seed));
            results.Add(new CandidateResult(
                layout,
                Statistic.Of(folds.Select(f => f.Metrics.MicroAccuracy)),
                Statistic.Of(folds.Select(f => f.Metrics.LogLoss)),
                watch.Elapsed));
        }

        CandidateResult winner = results.OrderByDescending(r => r.Accuracy.Mean).ThenBy(r => r.LogLoss.Mean).First();
        var table = new Table().Title($"Hidden layer sizes, {settings.Folds}-fold cross-validation ({settings.Epochs} epochs per fit)")
            .AddColumn("Hidden layers")
            .AddColumn(new TableColumn("Micro-accuracy (mean ± sd)").RightAligned())
            .AddColumn(new TableColumn("Log-loss (mean ± sd)").RightAligned())
            .AddColumn(new TableColumn("Seconds").RightAligned());
        foreach (CandidateResult result in results)
        {
            string mark = result == winner ? "[green bold]" : "[default]";
            table.AddRow($"{mark}{result.Layout}[/]", $"{mark}{result.Accuracy}[/]", $"{result.LogLoss}", $"{result.Time.TotalSeconds:F1}");
        }
        console.Write(table);
        console.Write(new BarChart()
            .Label("Mean micro-accuracy")
            .WithMaxValue(1)
            .AddItems(results, r => new BarChartItem(r.Layout, Math.Round(r.Accuracy.Mean, 3), r == winner ? Color.Green : Color.Grey)));
        console.MarkupLineInterpolated($"[bold]Winner: hidden layers {winner.Layout}[/] (micro-accuracy {winner.Accuracy}).");
        return 0;
    }
}
