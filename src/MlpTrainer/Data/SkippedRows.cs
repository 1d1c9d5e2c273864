using System.Globalization;

namespace MlpTrainer.Data;

/// <summary>
/// The warning for the rows of one data view that training left out (a missing label, a NaN or infinite feature, a bad
/// weight): the counts and, for NaN features, what scoring such a row gives and the transform that avoids it. Training
/// tells it once per data view (a streamed view is counted on its first pass only) in <c>mlContext.Log</c>, and keeps it
/// on the first epoch of the model's history that the run adds.
/// </summary>
internal static class SkippedRows
{
    /// <summary>The warning for one read of the data, or null when no row was left out.</summary>
    /// <param name="role">"training" or "validation".</param>
    /// <param name="usableRows">The rows kept.</param>
    /// <param name="missingLabel">Rows left out for a missing label (NaN, or key 0).</param>
    /// <param name="badFeatures">Rows left out for a NaN or infinite feature.</param>
    /// <param name="badWeight">Rows left out for a negative, NaN or infinite weight.</param>
    /// <param name="featureColumn">The feature column's name.</param>
    public static string? Warning(string role, long usableRows, long missingLabel, long badFeatures, long badWeight, string featureColumn)
    {
        long skipped = missingLabel + badFeatures + badWeight;
        if (skipped == 0)
            return null;
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
        return text;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
