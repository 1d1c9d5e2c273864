namespace MlpTrainer.Data;

/// <summary>
/// How many of a feature vector's slots are non-zero, measured on the first rows of the data: what decides whether the
/// rows are held and multiplied as dense rows or as sparse ones.
/// </summary>
/// <param name="FeatureCount">Slots per row.</param>
/// <param name="RowsSeen">Usable rows the measure is taken over (0 for empty data).</param>
/// <param name="MeanNonZeros">Non-zero values per row, on average.</param>
internal readonly record struct FeatureDensity(int FeatureCount, long RowsSeen, double MeanNonZeros)
{
    /// <summary>Rows the probe reads: enough for a stable average, few enough to cost nothing next to training.</summary>
    public const int ProbeRows = 1000;

    /// <summary>The share of slots that are non-zero, 0 to 1.</summary>
    public double Share => FeatureCount == 0 ? 0 : MeanNonZeros / FeatureCount;

    /// <summary>Reads up to <see cref="ProbeRows"/> usable rows through a new cursor and averages their non-zeros.</summary>
    public static FeatureDensity Probe(DataViewColumns columns, CancellationToken cancellation = default)
    {
        using DataViewRowReader reader = columns.OpenReader(cancellation);
        long rows = 0, nonZeros = 0;
        while (rows < ProbeRows && reader.Read(out _, out _))
        {
            rows++;
            nonZeros += reader.NonZeroCount;
        }
        return new FeatureDensity(columns.FeatureCount, rows, rows == 0 ? 0 : (double)nonZeros / rows);
    }
}
