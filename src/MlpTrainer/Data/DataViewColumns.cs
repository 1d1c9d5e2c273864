using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Model;

namespace MlpTrainer.Data;

/// <summary>
/// The feature, label and optional weight columns of an <see cref="IDataView"/>, checked once: the features a known-size
/// vector of Single, the label a key (multiclass), Boolean (binary) or Single (regression), the weight Single. Opens
/// <see cref="DataViewRowReader"/>s over them, one per pass.
/// </summary>
internal sealed class DataViewColumns
{
    private DataViewColumns(IDataView data, MlpTask task, DataViewSchema.Column features, DataViewSchema.Column label,
        DataViewSchema.Column? weight, int featureCount, int classCount)
    {
        Data = data;
        Task = task;
        Features = features;
        Label = label;
        Weight = weight;
        FeatureCount = featureCount;
        ClassCount = classCount;
    }

    public IDataView Data { get; }

    public MlpTask Task { get; }

    public DataViewSchema.Column Features { get; }

    public DataViewSchema.Column Label { get; }

    public DataViewSchema.Column? Weight { get; }

    public int FeatureCount { get; }

    /// <summary>The number of classes, or 0 for regression.</summary>
    public int ClassCount { get; }

    public static DataViewColumns Resolve(IDataView data, MlpTask task, string featureColumn, string labelColumn, string? weightColumn)
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
        return new DataViewColumns(data, task, features, label, weight, vectorType.Size, classes);
    }

    /// <summary>Opens a new row cursor over the columns: one pass over the data.</summary>
    public DataViewRowReader OpenReader(CancellationToken cancellation = default) => new(this, cancellation);

    private static DataViewSchema.Column FindColumn(DataViewSchema schema, string name, string role)
        => schema.GetColumnOrNull(name)
           ?? throw new ArgumentOutOfRangeException(name, $"The {role} column '{name}' is not in the data. Columns: {string.Join(", ", schema.Select(c => c.Name))}.");
}
