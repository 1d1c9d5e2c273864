using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MlpTrainer.Samples.Output;

/// <summary>
/// The training and validation loss per epoch as a small text chart in a panel: • training, × validation (where
/// they meet, the validation mark wins). Long runs are averaged into at most <see cref="MaxColumns"/> points; short
/// runs are spread over about that width.
/// </summary>
public static class LossChart
{
    public const string Title = "Loss per epoch";
    public const int MaxColumns = 60;
    public const int Rows = 10;

    public static IRenderable Create(IReadOnlyList<MlpEpochReport> history, string lossName = "loss")
    {
        if (history.Count == 0)
            return new Panel(new Text("no epochs")).Header(Title);

        double[] training = history.Select(r => r.TrainingLoss).ToArray();
        double[]? validation = history.All(r => r.ValidationLoss is not null)
            ? history.Select(r => r.ValidationLoss!.Value).ToArray()
            : null;

        int points = Math.Min(history.Count, MaxColumns);
        int step = Math.Max(1, MaxColumns / points);
        int columns = (points - 1) * step + 1;
        double[] trainingPoints = Bucket(training, points);
        double[]? validationPoints = validation is null ? null : Bucket(validation, points);
        double[] all = trainingPoints.Concat(validationPoints ?? Array.Empty<double>()).ToArray();
        double low = all.Min(), high = all.Max();
        if (high - low < 1e-12)
        {
            low -= 0.5;
            high += 0.5;
        }

        var grid = new char[Rows, columns];
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < columns; c++)
                grid[r, c] = ' ';
        int RowOf(double value) => (int)Math.Round((high - value) / (high - low) * (Rows - 1));
        for (int p = 0; p < points; p++)
        {
            grid[RowOf(trainingPoints[p]), p * step] = '•';
            if (validationPoints is not null)
                grid[RowOf(validationPoints[p]), p * step] = '×';
        }

        var text = new StringBuilder();
        for (int r = 0; r < Rows; r++)
        {
            double level = high - (high - low) * r / (Rows - 1);
            string label = r == 0 || r == Rows - 1 || r == Rows / 2 ? $"{level,8:F4}" : new string(' ', 8);
            text.Append(label).Append(" │");
            for (int c = 0; c < columns; c++)
            {
                text.Append(grid[r, c] switch
                {
                    '•' => "[deepskyblue1]•[/]",
                    '×' => "[orange1]×[/]",
                    char other => other.ToString(),
                });
            }
            text.Append('\n');
        }
        text.Append(new string(' ', 9)).Append('└').Append(new string('─', columns)).Append('\n');
        string first = $"epoch {history[0].Epoch}", last = history[^1].Epoch.ToString();
        text.Append(new string(' ', 10)).Append(first).Append(new string(' ', Math.Max(1, columns - first.Length - last.Length))).Append(last).Append('\n');
        text.Append(new string(' ', 10)).Append("[deepskyblue1]•[/] training");
        if (validation is not null)
            text.Append("   [orange1]×[/] validation");

        return new Panel(new Markup(text.ToString())).Header($"{Title}: {Markup.Escape(lossName)}").Expand();
    }

    /// <summary>The mean of each of <paramref name="count"/> consecutive, nearly equal runs of <paramref name="values"/>.</summary>
    private static double[] Bucket(double[] values, int count)
    {
        var result = new double[count];
        for (int c = 0; c < count; c++)
        {
            int from = c * values.Length / count, to = (c + 1) * values.Length / count;
            double sum = 0;
            for (int i = from; i < to; i++)
                sum += values[i];
            result[c] = sum / (to - from);
        }
        return result;
    }
}
