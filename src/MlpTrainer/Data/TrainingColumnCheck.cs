using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Model;

namespace MlpTrainer.Data;

/// <summary>
/// Checks the feature, label and weight columns a trainer needs before ML.NET's own check does, so that what a user
/// meets names the fix: the transform to add, in one line of code (<c>ConvertType</c> to Single or Boolean,
/// <c>Concatenate</c>, <c>MapValueToKey</c>, ...), or the columns there are when one is missing. The messages start
/// like ML.NET's own (<c>Schema mismatch for label column 'x': expected Key, got Single</c>), and the caller throws
/// them as <see cref="ArgumentOutOfRangeException"/>, as ML.NET does for a schema mismatch.
/// </summary>
internal static class TrainingColumnCheck
{
    /// <summary>What a column holds: <see cref="SchemaShape.Column"/>'s view, also made from a <see cref="DataViewType"/>.</summary>
    internal readonly record struct Shape(SchemaShape.Column.VectorKind Kind, DataViewType ItemType, bool IsKey)
    {
        public static Shape Of(SchemaShape.Column column) => new(column.Kind, column.ItemType, column.IsKey);

        public static Shape Of(DataViewType type)
        {
            (SchemaShape.Column.VectorKind kind, DataViewType item) = type is VectorDataViewType vector
                ? (vector.IsKnownSize ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector, vector.ItemType)
                : (SchemaShape.Column.VectorKind.Scalar, type);
            return new(kind, item, item is KeyDataViewType);
        }

        public bool IsVector => Kind != SchemaShape.Column.VectorKind.Scalar;

        public bool IsNumber => !IsKey && ItemType is NumberDataViewType;

        /// <summary>ML.NET's way of writing the type: <c>Single</c>, <c>Vector&lt;Double&gt;</c>, <c>Key&lt;UInt32&gt;</c>, <c>VarVector&lt;Single&gt;</c>.</summary>
        public override string ToString()
        {
            string text = IsKey ? $"Key<{ItemType.RawType.Name}>" : ItemType.ToString() ?? ItemType.RawType.Name;
            return Kind switch
            {
                SchemaShape.Column.VectorKind.Vector => $"Vector<{text}>",
                SchemaShape.Column.VectorKind.VariableVector => $"VarVector<{text}>",
                _ => text,
            };
        }
    }

    /// <summary>One problem: the column's role (feature, label, weight) and the message.</summary>
    internal readonly record struct Problem(string Role, string Message);

    /// <summary>The first problem of <paramref name="schema"/>'s columns for <paramref name="task"/>, or null when they fit.</summary>
    public static Problem? Find(SchemaShape schema, MlpTask task, string featureColumn, string labelColumn, string? weightColumn)
        => Find(schema.Select(c => (c.Name, Shape.Of(c))).ToArray(), task, featureColumn, labelColumn, weightColumn);

    /// <inheritdoc cref="Find(SchemaShape, MlpTask, string, string, string?)"/>
    public static Problem? Find(DataViewSchema schema, MlpTask task, string featureColumn, string labelColumn, string? weightColumn)
        => Find(schema.Where(c => !c.IsHidden).Select(c => (c.Name, Shape.Of(c.Type))).ToArray(), task, featureColumn, labelColumn, weightColumn);

    private static Problem? Find((string Name, Shape Shape)[] columns, MlpTask task, string featureColumn, string labelColumn, string? weightColumn)
    {
        string[] singles = columns.Where(c => c.Shape.IsNumber && c.Shape.ItemType == NumberDataViewType.Single && c.Shape.Kind != SchemaShape.Column.VectorKind.VariableVector
                                              && c.Name != labelColumn && c.Name != weightColumn)
            .Select(c => c.Name).ToArray();
        Shape? Lookup(string name) => columns.Where(c => c.Name == name).Select(c => (Shape?)c.Shape).LastOrDefault();
        string[] names = columns.Select(c => c.Name).ToArray();

        if (Lookup(featureColumn) is not { } features)
            return new("feature", Missing(names, "feature", featureColumn, singles));
        if (FeatureProblem(featureColumn, features, singles) is string featureProblem)
            return new("feature", featureProblem);
        if (weightColumn is not null)
        {
            if (Lookup(weightColumn) is not { } weight)
                return new("weight", Missing(names, "weight", weightColumn, singles));
            if (WeightProblem(weightColumn, weight) is string weightProblem)
                return new("weight", weightProblem);
        }
        if (Lookup(labelColumn) is not { } label)
            return new("label", Missing(names, "label", labelColumn, singles));
        return LabelProblem(task, labelColumn, label) is string labelProblem ? new("label", labelProblem) : null;
    }

    /// <summary>What is wrong with a feature column of this shape, and the fix; null for a known-size vector of Single.</summary>
    /// <param name="name">The feature column's name.</param>
    /// <param name="shape">What it holds.</param>
    /// <param name="otherSingleColumns">Other Single columns of the data, to name in a <c>Concatenate</c> line.</param>
    public static string? FeatureProblem(string name, Shape shape, IReadOnlyList<string> otherSingleColumns)
    {
        if (shape.Kind == SchemaShape.Column.VectorKind.Vector && shape.IsNumber && shape.ItemType == NumberDataViewType.Single)
            return null;
        string mismatch = $"Schema mismatch for feature column '{name}': expected Vector<Single>, got {shape}. ";
        string convert = $"ml.Transforms.Conversion.ConvertType(\"{name}\", outputKind: DataKind.Single)";
        if (shape.IsKey)
            return mismatch + $"It holds keys (category numbers); one-hot encode them before the trainer: ml.Transforms.Conversion.MapKeyToVector(\"{name}\").";
        if (shape.ItemType is TextDataViewType)
            return mismatch + $"It is text; make numbers of it before the trainer: ml.Transforms.Text.FeaturizeText(\"{name}\") for free text, or ml.Transforms.Categorical.OneHotEncoding(\"{name}\") for categories.";
        if (!shape.IsVector)
        {
            string sources = string.Join(", ", new[] { name }.Concat(otherSingleColumns.Where(c => c != name).Take(4)).Select(c => $"\"{c}\""));
            string first = shape.IsNumber || shape.ItemType is BooleanDataViewType ? $"{convert}, then " : "";
            return mismatch + $"The MLP reads one vector of Single per row: put your feature columns together before the trainer with {first}" +
                   $"ml.Transforms.Concatenate(\"Features\", {sources}{(otherSingleColumns.Count > 4 ? ", ..." : "")}) (and FeatureColumnName = \"Features\").";
        }
        if (shape.Kind == SchemaShape.Column.VectorKind.VariableVector)
            return mismatch + "The MLP needs the vector's size when it is built: with LoadFromEnumerable give the property [VectorType(size)]; " +
                   "a TextLoader column needs a fixed range of source columns; or make the features with Concatenate of fixed-size columns.";
        if (shape.IsNumber || shape.ItemType is BooleanDataViewType)
            return mismatch + $"Convert it before the trainer: {convert}.";
        return mismatch + "Make a vector of Single from it before the trainer.";
    }

    /// <summary>What is wrong with a label column of this shape for the task, and the fix; null when it fits.</summary>
    public static string? LabelProblem(MlpTask task, string name, Shape shape)
    {
        switch (task)
        {
            case MlpTask.Multiclass:
                if (shape.IsKey && !shape.IsVector)
                    return null;
                return $"Schema mismatch for label column '{name}': expected Key, got {shape}. " + (shape.IsVector
                    ? "Multiclass classification needs one class per row, as a key."
                    : $"Multiclass classification needs the class as a key: add ml.Transforms.Conversion.MapValueToKey(\"{name}\") before the trainer " +
                      "(and ml.Transforms.Conversion.MapKeyToValue(\"PredictedLabel\") after it, to get your label's values back).");
            case MlpTask.Binary:
                if (!shape.IsKey && !shape.IsVector && shape.ItemType is BooleanDataViewType)
                    return null;
                return $"Schema mismatch for label column '{name}': expected Boolean, got {shape}. " + (shape.IsVector
                    ? "Binary classification needs one true/false label per row."
                    : shape.IsKey
                        ? "Binary classification needs a Boolean label, not a key: drop the MapValueToKey of the label (and make it Boolean), " +
                          $"or keep the keys and train ml.MulticlassClassification.Trainers.Mlp() on them."
                        : $"Binary classification needs a Boolean label: numbers (non-zero is true) and the text true/false or 1/0 convert with " +
                          $"ml.Transforms.Conversion.ConvertType(\"{name}\", outputKind: DataKind.Boolean) before the trainer; for two other values, " +
                          $"make the label a bool property of your row class, or use ml.Transforms.Conversion.MapValueToKey(\"{name}\") and ml.MulticlassClassification.Trainers.Mlp().");
            case MlpTask.Regression:
                if (!shape.IsKey && !shape.IsVector && shape.ItemType == NumberDataViewType.Single)
                    return null;
                return $"Schema mismatch for label column '{name}': expected Single, got {shape}. " + (shape.IsVector
                    ? "Regression predicts one number per row: the label must be one Single value."
                    : shape.IsKey
                        ? "Regression predicts a number: drop the MapValueToKey of the label."
                        : $"Regression needs a Single label: add ml.Transforms.Conversion.ConvertType(\"{name}\", outputKind: DataKind.Single) before the trainer.");
            default:
                throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task.");
        }
    }

    /// <summary>What is wrong with an example-weight column of this shape, and the fix; null for a Single.</summary>
    public static string? WeightProblem(string name, Shape shape)
    {
        if (!shape.IsKey && !shape.IsVector && shape.ItemType == NumberDataViewType.Single)
            return null;
        return $"Schema mismatch for weight column '{name}': expected Single, got {shape}. " + (shape.IsNumber && !shape.IsVector
            ? $"Convert it before the trainer: ml.Transforms.Conversion.ConvertType(\"{name}\", outputKind: DataKind.Single)."
            : "The example weight must be one Single value per row.");
    }

    /// <summary>A missing column's message: the columns there are, and how to make or name the one wanted.</summary>
    public static string Missing(IEnumerable<string> columns, string role, string name, IReadOnlyList<string> singleColumns)
    {
        string[] names = columns.ToArray();
        string fix = role switch
        {
            "feature" => $"Make it from your numeric columns before the trainer, e.g. ml.Transforms.Concatenate(\"{name}\", " +
                         (singleColumns.Count > 0 ? string.Join(", ", singleColumns.Take(4).Select(c => $"\"{c}\"")) + (singleColumns.Count > 4 ? ", ..." : "") : "\"...\"") +
                         "), or set FeatureColumnName (featureColumnName) to your feature vector's column.",
            "label" => "Set LabelColumnName (labelColumnName) to your label's column.",
            _ => "Set ExampleWeightColumnName (exampleWeightColumnName) to your weight column, or leave it null.",
        };
        return $"Could not find {role} column '{name}'. The data's columns: {(names.Length == 0 ? "none" : string.Join(", ", names))}. {fix}";
    }
}
