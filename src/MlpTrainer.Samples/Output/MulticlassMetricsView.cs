using Microsoft.ML.Data;
using Spectre.Console;

namespace MlpTrainer.Samples.Output;

/// <summary>Shows ML.NET's multiclass metrics: the overall figures, precision and recall per class, and the confusion matrix.</summary>
public static class MulticlassMetricsView
{
    /// <param name="console">Where to write.</param>
    /// <param name="metrics">From <c>MulticlassClassification.Evaluate</c>.</param>
    /// <param name="classNames">The classes in key order (see <see cref="Data.KeyNames"/>).</param>
    public static void Show(IAnsiConsole console, MulticlassClassificationMetrics metrics, IReadOnlyList<string> classNames)
    {
        var overall = new Table().Title("Test metrics").AddColumn("Metric").AddColumn(new TableColumn("Value").RightAligned())
            .AddRow("Micro-accuracy", $"{metrics.MicroAccuracy:F4}")
            .AddRow("Macro-accuracy", $"{metrics.MacroAccuracy:F4}")
            .AddRow("Log-loss", $"{metrics.LogLoss:F4}")
            .AddRow("Log-loss reduction", $"{metrics.LogLossReduction:F4}");

        var perClass = new Table().Title("Per class").AddColumn("Class")
            .AddColumn(new TableColumn("Precision").RightAligned())
            .AddColumn(new TableColumn("Recall").RightAligned())
            .AddColumn(new TableColumn("Rows").RightAligned());
        ConfusionMatrix matrix = metrics.ConfusionMatrix;
        for (int c = 0; c < matrix.NumberOfClasses; c++)
        {
            perClass.AddRow(Markup.Escape(classNames[c]), $"{matrix.PerClassPrecision[c]:F3}", $"{matrix.PerClassRecall[c]:F3}",
                $"{matrix.Counts[c].Sum():0}");
        }

        console.Write(new Columns(overall, perClass) { Expand = false });
        console.Write(ConfusionMatrixTable.Create(matrix, classNames));
    }
}
