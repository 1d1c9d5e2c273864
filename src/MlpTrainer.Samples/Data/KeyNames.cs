using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Samples.Data;

/// <summary>
/// The original values behind a key-typed column (the classes <c>MapValueToKey</c> found), as text in key order — the
/// order of the rows and columns of ML.NET's confusion matrix and of its per-class metrics.
/// </summary>
public static class KeyNames
{
    public static IReadOnlyList<string> Of(DataViewSchema.Column column)
    {
        if (column.Type is not KeyDataViewType key)
            throw new ArgumentException($"The column '{column.Name}' is not key-typed.", nameof(column));
        if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is not { Type: VectorDataViewType { ItemType: var itemType } })
            return Numbers(key.Count);
        return itemType switch
        {
            TextDataViewType => Read<ReadOnlyMemory<char>>(column, v => v.ToString()),
            BooleanDataViewType => Read<bool>(column, v => v ? "true" : "false"),
            NumberDataViewType when itemType.RawType == typeof(float) => Read<float>(column, v => v.ToString(CultureInfo.InvariantCulture)),
            NumberDataViewType when itemType.RawType == typeof(double) => Read<double>(column, v => v.ToString(CultureInfo.InvariantCulture)),
            _ => Numbers(key.Count),
        };
    }

    private static string[] Read<T>(DataViewSchema.Column column, Func<T, string> format)
    {
        VBuffer<T> values = default;
        column.GetKeyValues(ref values);
        return values.DenseValues().Select(format).ToArray();
    }

    private static string[] Numbers(ulong count)
        => Enumerable.Range(1, checked((int)count)).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
}
