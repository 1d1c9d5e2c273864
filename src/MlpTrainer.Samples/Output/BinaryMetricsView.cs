using Microsoft.ML.Data;
using Spectre.Console;

namespace MlpTrainer.Samples.Output;

/// <summary>Shows ML.NET's binary classification metrics and the confusion matrix.</summary>
public static class BinaryMetricsView
{
    public static void Show(IAnsiConsole console, CalibratedBinaryClassificationMetrics metrics)
    {
        var table = new Table().Title("Test metrics").AddColumn("Metric").AddColumn(new TableColumn("Value").RightAligned())
            .AddRow("Accuracy", $"{metrics.Accuracy:F4}")
            .AddRow("AUC", $"{metrics.AreaUnderRocCurve:F4}")
            .AddRow("F1 score", $"{metrics.F1Score:F4}")
            .AddRow("Precision (true)", $"{metrics.PositivePrecision:F4}")
            .AddRow("Recall (true)", $"{metrics.PositiveRecall:F4}")
            .AddRow("Log-loss", $"{metrics.LogLoss:F4}");
        console.Write(table);
        // ML.NET orders a binary confusion matrix positive (true) first.
        console.Write(ConfusionMatrixTable.Create(metrics.ConfusionMatrix, new[] { "true", "false" }));
    }
}
