using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace MlpTrainer.Data;

/// <summary>
/// The first pass of a streamed training, through one row cursor: what the in-memory path learns from its dataset —
/// the usable rows, the skipped rows by cause, the rows per class (for balanced class weights), the targets' sum (for
/// label standardisation), the training rows and their weight (in all and per class), and a hash of the training rows (for checkpoints, when asked) —
/// and the held-out validation rows, kept in memory. Class counts and target statistics cover every usable row,
/// held out or not, as they do in memory.
/// </summary>
internal static class StreamingScan
{
    public sealed record Result(long UsableRows, long TrainRows, double TrainWeightSum, long SkippedMissingLabel, long SkippedBadFeatures,
        long SkippedBadWeight, long[] ClassCounts, double[] TrainWeightSumByClass, double TargetSum, double TargetWeightSum, ulong TrainRowsHash, RowDataset Validation);

    /// <param name="columns">The data view and its columns.</param>
    /// <param name="holdOut">The rows to hold out for validation, or null.</param>
    /// <param name="sparse">Keep the held-out rows as sparse rows.</param>
    /// <param name="hashRows">Hash the training rows (for checkpoints); otherwise <see cref="Result.TrainRowsHash"/> is 0.</param>
    /// <param name="cancellation">Checked for every row.</param>
    /// <param name="moments">Receives every training row's features (for feature standardisation), or null.</param>
    public static Result Run(DataViewColumns columns, ValidationHoldOut? holdOut, bool sparse, bool hashRows, CancellationToken cancellation = default,
        FeatureMoments? moments = null)
    {
        RowDataset validation = RowDataset.Create(columns.FeatureCount, columns.ClassCount, sparse);
        var counts = new long[columns.ClassCount];
        var classWeightSums = new double[columns.ClassCount];
        var hash = new XxHash64();
        Span<float> scalars = stackalloc float[2];
        long usable = 0, train = 0;
        double weightSum = 0, targetSum = 0, targetWeightSum = 0;
        using DataViewRowReader reader = columns.OpenReader(cancellation);
        while (reader.Read(out float target, out float weight))
        {
            usable++;
            targetSum += (double)weight * target;
            targetWeightSum += weight;
            if (counts.Length > 0)
                counts[(int)target]++;
            if (holdOut is not null && holdOut.IsHeldOut(reader.Position))
            {
                validation.Add(reader.Features, target, weight);
                continue;
            }
            train++;
            weightSum += weight;
            moments?.Add(reader.Features, weight, counts.Length > 0 ? (int)target : 0);
            if (classWeightSums.Length > 0)
                classWeightSums[(int)target] += weight;
            if (hashRows)
            {
                AppendFeatures(hash, reader.Features);
                scalars[0] = target;
                scalars[1] = weight;
                hash.Append(MemoryMarshal.AsBytes(scalars));
            }
        }
        return new Result(usable, train, weightSum, reader.SkippedMissingLabel, reader.SkippedBadFeatures, reader.SkippedBadWeight,
            counts, classWeightSums, targetSum, targetWeightSum, hashRows ? hash.GetCurrentHashAsUInt64() : 0, validation);
    }

    /// <summary>A row's features as the data view gives them: the values of a dense row, the slots and values of a sparse one.</summary>
    private static void AppendFeatures(XxHash64 hash, in Microsoft.ML.Data.VBuffer<float> features)
    {
        if (!features.IsDense)
            hash.Append(MemoryMarshal.AsBytes(features.GetIndices()));
        hash.Append(MemoryMarshal.AsBytes(features.GetValues()));
    }

    /// <summary>
    /// A second pass for label standardisation: the weighted population standard deviation of every usable row's target
    /// about <paramref name="mean"/> (each row counts by its weight, as in the loss), summed in the order and precision of
    /// the in-memory path.
    /// </summary>
    public static double TargetDeviation(DataViewColumns columns, double mean, double weightSum, CancellationToken cancellation = default)
    {
        double sumSquares = 0;
        using DataViewRowReader reader = columns.OpenReader(cancellation);
        while (reader.Read(out float target, out float weight))
        {
            double d = target - mean;
            sumSquares += weight * d * d;
        }
        return Math.Sqrt(sumSquares / weightSum);
    }
}
