using Microsoft.ML;

namespace MlpTrainer.Data;

/// <summary>
/// Reads a feature vector column, a label column and an optional weight column of any <see cref="IDataView"/> (text
/// loader, DataFrame, enumerable) into a <see cref="RowDataset"/> in one pass: dense rows into a
/// <see cref="DenseDataset"/>, or only the non-zeros into a <see cref="SparseDataset"/>. The label is a key for
/// multiclass, a Boolean for binary and a Single for regression. Rows with a missing label (key 0, NaN), a NaN or
/// infinite feature, or a negative, NaN or infinite weight are skipped and counted, as ML.NET's trainers do. With a
/// memory limit, reading stops as soon as the rows held pass it, so data of unknown size never fills the machine.
/// </summary>
internal static class DataViewReader
{
    /// <summary>Rows read between two hand-overs to the thread gathering the moments (a power of two).</summary>
    private const int PublishEveryRows = 64;

    /// <param name="Dataset">The rows, or null when they did not fit under the limit.</param>
    /// <param name="SkippedMissingLabel">Rows skipped for a missing label.</param>
    /// <param name="SkippedBadFeatures">Rows skipped for a NaN or infinite feature.</param>
    /// <param name="SkippedBadWeight">Rows skipped for a negative, NaN or infinite weight.</param>
    /// <param name="RowsRead">Usable rows read (all of them, or those read before the limit was passed).</param>
    /// <param name="BytesRead">Bytes those rows took in memory.</param>
    public readonly record struct Result(RowDataset? Dataset, long SkippedMissingLabel, long SkippedBadFeatures, long SkippedBadWeight,
        long RowsRead, long BytesRead)
    {
        public bool ExceededLimit => Dataset is null;
    }

    /// <param name="columns">The data view and its columns.</param>
    /// <param name="sparse">Hold the rows' non-zeros only (<see cref="SparseDataset"/>) rather than dense rows.</param>
    /// <param name="limitBytes">Stop and return no dataset once the rows held take more than this; null for no limit.</param>
    /// <param name="cancellation">Checked for every row.</param>
    /// <param name="moments">
    /// When given (dense rows only), every row read is added to it as it is stored, with its weight and class, on
    /// another thread that follows the reader (<see cref="MomentsBehindReader"/>): the standardisation's statistics come
    /// out of this pass instead of a second one over the rows held.
    /// </param>
    public static Result Read(DataViewColumns columns, bool sparse, long? limitBytes, CancellationToken cancellation = default, FeatureMoments? moments = null)
    {
        if (moments is not null && sparse)
            throw new ArgumentException("Feature moments are gathered over dense rows only.", nameof(moments));
        RowDataset dataset = RowDataset.Create(columns.FeatureCount, columns.ClassCount, sparse);
        var dense = dataset as DenseDataset;
        // The cursor first: if it cannot be opened, no storage is being prepared on another thread.
        using DataViewRowReader reader = columns.OpenReader(cancellation);
        if (dense is not null && columns.Data.GetRowCount() is long rows && (limitBytes is not long cap || rows * columns.FeatureCount * sizeof(float) <= cap))
            dense.PrepareForRows(rows);
        MomentsBehindReader? follower = moments is null ? null : new MomentsBehindReader(dense!, moments);
        bool readAll = false;
        try
        {
            while (reader.Read(out float target, out float weight))
            {
                dataset.Add(reader.Features, target, weight);
                if (follower is not null && (dataset.RowCount & (PublishEveryRows - 1)) == 0)
                    follower.Publish(dataset.RowCount);
                // Storage grows by chunks, so checking every 256 rows is as good as checking every row.
                if (limitBytes is long limit && (dataset.RowCount & 255) == 0 && dataset.Bytes > limit)
                    return new Result(null, reader.SkippedMissingLabel, reader.SkippedBadFeatures, reader.SkippedBadWeight, dataset.RowCount, dataset.Bytes);
            }
            readAll = true;
        }
        finally
        {
            dense?.EndPreparation();
            // Rows past the limit, a cancellation or a failure leave the moments unused: the follower stops at once.
            if (readAll)
                follower?.Publish(dataset.RowCount);
            follower?.Complete(abandon: !readAll);
        }
        if (limitBytes is long max && dataset.Bytes > max)
            return new Result(null, reader.SkippedMissingLabel, reader.SkippedBadFeatures, reader.SkippedBadWeight, dataset.RowCount, dataset.Bytes);
        return new Result(dataset, reader.SkippedMissingLabel, reader.SkippedBadFeatures, reader.SkippedBadWeight, dataset.RowCount, dataset.Bytes);
    }
}
