namespace MlpTrainer.Samples.Output;

/// <summary>Saves the training and validation loss per epoch as a PNG line chart with ScottPlot.</summary>
public static class LossPlot
{
    public static void SavePng(string path, IReadOnlyList<MlpEpochReport> history, string title, string lossName = "loss")
    {
        var plot = new ScottPlot.Plot();
        double[] epochs = history.Select(r => (double)r.Epoch).ToArray();
        var training = plot.Add.Scatter(epochs, history.Select(r => r.TrainingLoss).ToArray());
        training.LegendText = $"training {lossName}";
        if (history.All(r => r.ValidationLoss is not null))
        {
            var validation = plot.Add.Scatter(epochs, history.Select(r => r.ValidationLoss!.Value).ToArray());
            validation.LegendText = $"validation {lossName}";
        }
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(lossName);
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);

        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
            Directory.CreateDirectory(folder);
        plot.SavePng(path, 900, 550);
    }
}
