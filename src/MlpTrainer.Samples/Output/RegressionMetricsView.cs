using Microsoft.ML.Data;
using Spectre.Console;

namespace MlpTrainer.Samples.Output;

/// <summary>Shows ML.NET's regression metrics.</summary>
public static class RegressionMetricsView
{
    public static void Show(IAnsiConsole console, RegressionMetrics metrics)
    {
        var table = new Table().Title("Test metrics").AddColumn("Metric").AddColumn(new TableColumn("Value").RightAligned())
            .AddRow("R²", $"{metrics.RSquared:F4}")
            .AddRow("RMSE", $"{metrics.RootMeanSquaredError:G5}")
            .AddRow("MAE", $"{metrics.MeanAbsoluteError:G5}")
            .AddRow("MSE", $"{metrics.MeanSquaredError:G5}");
        console.Write(table);
    }
}
