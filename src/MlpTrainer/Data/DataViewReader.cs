using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Data;

/// <summary>
/// Reads a feature vector column and a key-typed label column of any <see cref="IDataView"/> (text loader,
/// DataFrame, enumerable) into a <see cref="DenseDataset"/> in one pass. Rows with a missing label (key 0) or a
/// NaN or infinite feature are skipped and counted, as ML.NET's trainers do.
/// </summary>
internal static class DataViewReader
{
    public readonly record struct Result(DenseDataset Dataset, long SkippedMissingLabel, long SkippedBadFeatures);

    public static Result Read(IDataView data, string featureColumn, string labelColumn, CancellationToken cancellation = default)
    {
        DataViewSchema.Column features = FindColumn(data.Schema, featureColumn, "feature");
        DataViewSchema.Column label = FindColumn(data.Schema, labelColumn, "label");
        if (features.Type is not VectorDataViewType { ItemType: NumberDataViewType { RawType: var itemType }, IsKnownSize: true } vectorType || itemType != typeof(float))
            throw new ArgumentOutOfRangeException(nameof(featureColumn), $"The feature column '{featureColumn}' must be a known-size vector of Single; it is {features.Type}.");
        if (label.Type is not KeyDataViewType keyType)
            throw new ArgumentOutOfRangeException(nameof(labelColumn), $"The label column '{labelColumn}' must be a key type (use MapValueToKey); it is {label.Type}.");
        if (keyType.Count > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(labelColumn), $"The label column '{labelColumn}' has {keyType.Count} classes; at most {int.MaxValue} are supported.");

        int classes = (int)keyType.Count;
        var dataset = new DenseDataset(vectorType.Size, classes);
        long missingLabel = 0, badFeatures = 0;
        using DataViewRowCursor cursor = data.GetRowCursor(new[] { features, label });
        ValueGetter<VBuffer<float>> getFeatures = cursor.GetGetter<VBuffer<float>>(features);
        Func<ulong> getLabel = KeyReader(cursor, label);
        VBuffer<float> buffer = default;
        float[] dense = new float[vectorType.Size];
        while (cursor.MoveNext())
        {
            cancellation.ThrowIfCancellationRequested();
            ulong key = getLabel();
            if (key == 0 || key > (ulong)classes)
            {
                missingLabel++;
                continue;
            }
            getFeatures(ref buffer);
            buffer.CopyTo(dense);
            if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(dense))
            {
                badFeatures++;
                continue;
            }
            dataset.Add(dense, (int)(key - 1));
        }
        return new Result(dataset, missingLabel, badFeatures);
    }

    private static DataViewSchema.Column FindColumn(DataViewSchema schema, string name, string role)
        => schema.GetColumnOrNull(name)
           ?? throw new ArgumentOutOfRangeException(name, $"The {role} column '{name}' is not in the data. Columns: {string.Join(", ", schema.Select(c => c.Name))}.");

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
