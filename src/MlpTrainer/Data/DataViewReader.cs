using Microsoft.ML;
using Microsoft.ML.Data;
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
    {
        DataViewSchema.Column features = FindColumn(data.Schema, featureColumn, "feature");
        DataViewSchema.Column label = FindColumn(data.Schema, labelColumn, "label");
        DataViewSchema.Column? weight = weightColumn is null ? null : FindColumn(data.Schema, weightColumn, "weight");
        if (features.Type is not VectorDataViewType { ItemType: NumberDataViewType { RawType: var itemType }, IsKnownSize: true } vectorType || itemType != typeof(float))
            throw new ArgumentOutOfRangeException(nameof(featureColumn), $"The feature column '{featureColumn}' must be a known-size vector of Single; it is {features.Type}.");
        if (weight is { } w && w.Type != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(weightColumn), $"The weight column '{weightColumn}' must be Single; it is {w.Type}.");

        int classes = task switch
        {
            MlpTask.Multiclass => label.Type is KeyDataViewType { Count: > 0 and <= int.MaxValue } key ? (int)key.Count
                : throw new ArgumentOutOfRangeException(nameof(labelColumn), $"The label column '{labelColumn}' must be a key type (use MapValueToKey); it is {label.Type}."),
            MlpTask.Binary => label.Type == BooleanDataViewType.Instance ? 2
                : throw new ArgumentOutOfRangeException(nameof(labelColumn), $"The label column '{labelColumn}' must be Boolean for binary classification; it is {label.Type}."),
            MlpTask.Regression => label.Type == NumberDataViewType.Single ? 0
                : throw new ArgumentOutOfRangeException(nameof(labelColumn), $"The label column '{labelColumn}' must be Single for regression; it is {label.Type}."),
            _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task."),
        };

        var dataset = new DenseDataset(vectorType.Size, classes);
        long missingLabel = 0, badFeatures = 0, badWeight = 0;
        var columns = new List<DataViewSchema.Column> { features, label };
        if (weight is { } wc)
            columns.Add(wc);
        using DataViewRowCursor cursor = data.GetRowCursor(columns);
        ValueGetter<VBuffer<float>> getFeatures = cursor.GetGetter<VBuffer<float>>(features);
        Func<float> getTarget = TargetReader(cursor, label, task, classes);
        ValueGetter<float>? getWeight = weight is { } wcol ? cursor.GetGetter<float>(wcol) : null;
        VBuffer<float> buffer = default;
        float[] dense = new float[vectorType.Size];
        while (cursor.MoveNext())
        {
            cancellation.ThrowIfCancellationRequested();
            float target = getTarget();
            if (float.IsNaN(target))
            {
                missingLabel++;
                continue;
            }
            float rowWeight = 1f;
            if (getWeight is not null)
            {
                getWeight(ref rowWeight);
                if (!(rowWeight >= 0 && float.IsFinite(rowWeight)))
                {
                    badWeight++;
                    continue;
                }
            }
            getFeatures(ref buffer);
            buffer.CopyTo(dense);
            if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(dense))
            {
                badFeatures++;
                continue;
            }
            dataset.Add(dense, target, rowWeight);
        }
        return new Result(dataset, missingLabel, badFeatures, badWeight);
    }

    private static DataViewSchema.Column FindColumn(DataViewSchema schema, string name, string role)
        => schema.GetColumnOrNull(name)
           ?? throw new ArgumentOutOfRangeException(name, $"The {role} column '{name}' is not in the data. Columns: {string.Join(", ", schema.Select(c => c.Name))}.");

    /// <summary>Reads a row's target: the 0-based class for keys (NaN for a missing key), 1/0 for Boolean, the value for Single (NaN or infinite = missing).</summary>
    private static Func<float> TargetReader(DataViewRowCursor cursor, DataViewSchema.Column column, MlpTask task, int classes)
    {
        if (task == MlpTask.Binary)
        {
            var g = cursor.GetGetter<bool>(column);
            bool v = false;
            return () => { g(ref v); return v ? 1f : 0f; };
        }
        if (task == MlpTask.Regression)
        {
            var g = cursor.GetGetter<float>(column);
            float v = 0;
            return () => { g(ref v); return float.IsFinite(v) ? v : float.NaN; };
        }
        Func<ulong> key = KeyReader(cursor, column);
        return () =>
        {
            ulong k = key();
            return k == 0 || k > (ulong)classes ? float.NaN : k - 1;
        };
    }

    private static Func<ulong> KeyReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        switch (column.Type.RawType)
        {
            case var t when t == typeof(byte): { var g = cursor.GetGetter<byte>(column); byte v = 0; return () => { g(ref v); return v; }; }
            case var t when t == typeof(ushort): { var g = cursor.GetGetter<ushort>(column); ushort v = 0; return () => { g(ref v); return v; }; }
            case var t when t == typeof(uint): { var g = cursor.GetGetter<uint>(column); uint v = 0; return () => { g(ref v); return v; }; }
            case var t when t == typeof(ulong): { var g = cursor.GetGetter<ulong>(column); ulong v = 0; return () => { g(ref v); return v; }; }
            default: throw new ArgumentOutOfRangeException(column.Name, $"The label column '{column.Name}' has key type over {column.Type.RawType.Name}, which is not supported.");
        }
    }
}
