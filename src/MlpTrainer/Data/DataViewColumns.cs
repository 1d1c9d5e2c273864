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

    /// <summary>The data's columns for <paramref name="task"/>, checked.</summary>
    /// <param name="data">The data view.</param>
    /// <param name="task">The task, which decides the label's kind.</param>
    /// <param name="featureColumn">The feature vector's column.</param>
    /// <param name="labelColumn">The label's column.</param>
    /// <param name="weightColumn">The example weight's column, or null.</param>
    public static DataViewColumns Resolve(IDataView data, MlpTask task, string featureColumn, string labelColumn, string? weightColumn)
    {
        // The kinds of column, checked with messages that name the fix (the same check runs before ML.NET's own at Fit).
        if (TrainingColumnCheck.Find(data.Schema, task, featureColumn, labelColumn, weightColumn) is { } problem)
        {
            string parameter = problem.Role switch { "feature" => nameof(featureColumn), "label" => nameof(labelColumn), _ => nameof(weightColumn) };
            throw new ArgumentOutOfRangeException(parameter, problem.Message);
        }
        DataViewSchema.Column features = data.Schema[featureColumn];
        DataViewSchema.Column label = data.Schema[labelColumn];
        DataViewSchema.Column? weight = weightColumn is null ? null : data.Schema[weightColumn];
        var vectorType = (VectorDataViewType)features.Type;
        int classes = task switch
        {
            MlpTask.Multiclass => label.Type is KeyDataViewType { Count: > 0 and <= int.MaxValue } key ? (int)key.Count
                : throw new ArgumentOutOfRangeException(nameof(labelColumn), $"The label column '{labelColumn}' is a key of {((KeyDataViewType)label.Type).Count} values; " +
                                                                              $"the MLP needs 1 to {int.MaxValue} classes. Make it with ml.Transforms.Conversion.MapValueToKey(\"{labelColumn}\")."),
            MlpTask.Binary => 2,
            MlpTask.Regression => 0,
            _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task."),
        };
        return new DataViewColumns(data, task, features, label, weight, vectorType.Size, classes);
    }

    /// <summary>Opens a new row cursor over the columns: one pass over the data.</summary>
    public DataViewRowReader OpenReader(CancellationToken cancellation = default) => new(this, cancellation);
}
