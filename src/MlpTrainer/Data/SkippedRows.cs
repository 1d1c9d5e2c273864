using System.Globalization;

namespace MlpTrainer.Data;

/// <summary>
/// The rows of one data view that training left out (a missing label, a NaN or infinite feature, a bad weight),
/// told once, when the rows are first read: as a warning (to <c>mlContext.Log</c>) that gives the counts and, for
/// NaN features, what scoring such a row gives and the transform that avoids it. The trainer keeps
/// <see cref="Warning"/> on the trained model's history.
/// </summary>
internal sealed class SkippedRows
{
    private readonly Action<string> _warn;

    /// <param name="warn">Receives the warning, once per data view read (a streamed view is counted on its first pass only).</param>
    public SkippedRows(Action<string> warn) => _warn = warn;

    /// <summary>The warning told, or null when no row was left out.</summary>
    public string? Warning { get; private set; }

    /// <summary>Rows left out for a NaN or infinite feature.</summary>
    public long BadFeatures { get; private set; }

    /// <summary>Tells the counts of one read of the data, unless nothing was left out.</summary>
    /// <param name="role">"training" or "validation".</param>
    /// <param name="usableRows">The rows kept.</param>
    /// <param name="missingLabel">Rows left out for a missing label (NaN, or key 0).</param>
    /// <param name="badFeatures">Rows left out for a NaN or infinite feature.</param>
    /// <param name="badWeight">Rows left out for a negative, NaN or infinite weight.</param>
    /// <param name="featureColumn">The feature column's name.</param>
    public void Report(string role, long usableRows, long missingLabel, long badFeatures, long badWeight, string featureColumn)
    {
        long skipped = missingLabel + badFeatures + badWeight;
        BadFeatures = badFeatures;
        if (skipped == 0)
        {
            Warning = null;
            return;
        }
        var reasons = new List<string>();
        if (badFeatures > 0)
            reasons.Add(Invariant($"{badFeatures:N0} with a NaN or infinite value in '{featureColumn}'"));
        if (missingLabel > 0)
            reasons.Add(Invariant($"{missingLabel:N0} with a missing label"));
        if (badWeight > 0)
            reasons.Add(Invariant($"{badWeight:N0} with a negative, NaN or infinite weight"));
        string text = Invariant($"Skipped {skipped:N0} of {usableRows + skipped:N0} {role} rows: {string.Join(", ", reasons)}; the model is trained without them.");
        if (badFeatures > 0)
            text += $" Scoring a row with a NaN feature gives NaN scores (for multiclass, PredictedLabel key 0, a missing value); " +
                    $"to train on such rows and score them, replace the missing values before the trainer, e.g. ml.Transforms.ReplaceMissingValues(\"{featureColumn}\").";
        Warning = text;
        _warn(text);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
