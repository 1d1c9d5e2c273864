using Microsoft.ML;
using MlpTrainer.Model;

namespace MlpTrainer.Data;

/// <summary>
/// Reads a feature vector column, a label column and an optional weight column of any <see cref="IDataView"/> (text
/// loader, DataFrame, enumerable) into a <see cref="DenseDataset"/> in one pass. The label is a key for multiclass, a
/// Boolean for binary and a Single for regression. Rows with a missing label (key 0, NaN), a NaN or infinite feature,
/// or a negative, NaN or infinite weight are skipped and counted, as ML.NET's trainers do.
/// </summary>
internal static class DataViewReader
{
    public readonly record struct Result(DenseDataset Dataset, long SkippedMissingLabel, long SkippedBadFeatures, long SkippedBadWeight);

    public static Result Read(IDataView data, MlpTask task, string featureColumn, string labelColumn, string? weightColumn, CancellationToken cancellation = default)
        => Read(DataViewColumns.Resolve(data, task, featureColumn, labelColumn, weightColumn), cancellation);

    public static Result Read(DataViewColumns columns, CancellationToken cancellation = default)
    {
        var dataset = new DenseDataset(columns.FeatureCount, columns.ClassCount);
        using DataViewRowReader reader = columns.OpenReader(cancellation);
        float[] dense = new float[columns.FeatureCount];
        while (reader.Read(dense, out float target, out float weight))
            dataset.Add(dense, target, weight);
        return new Result(dataset, reader.SkippedMissingLabel, reader.SkippedBadFeatures, reader.SkippedBadWeight);
    }
}
