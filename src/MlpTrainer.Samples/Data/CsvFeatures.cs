using System.Globalization;
using Microsoft.Data.Analysis;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlpTrainer.Samples.Commands;

namespace MlpTrainer.Samples.Data;

/// <summary>
/// Decides which columns of a CSV file become features, and builds the ML.NET transforms that make them one normalized
/// <c>Features</c> vector: numbers as they are (missing ones replaced by the column's mean), true/false as 1/0, text with
/// at most <see cref="MaxCategories"/> values one-hot encoded. Numbers with missing values written as a marker
/// (<see cref="CsvTable.IsMissingMarker"/>: R's <c>NA</c>, <c>?</c>…) read as text; such a column is converted to numbers
/// in the pipeline, the markers becoming missing. Text with more values (names, identifiers, free text),
/// dates and columns with a single value are skipped, and the plan says so. Every transform is part of the saved model,
/// so it scores a file read the same way.
/// </summary>
public sealed class CsvFeatures
{
    public const int MaxCategories = 50;

    public const string FeaturesColumn = "Features";

    private CsvFeatures(IReadOnlyList<CsvColumnUse> columns) => Columns = columns;

    /// <summary>Every column of the file, the label included, and its use.</summary>
    public IReadOnlyList<CsvColumnUse> Columns { get; }

    /// <summary>
    /// Plans the features from every column but <paramref name="label"/> (whose type as read and use are given). Numeric columns other than Single become Single
    /// and missing numbers NaN, in place. Throws <see cref="UsageException"/> when no column is usable.
    /// </summary>
    public static CsvFeatures Plan(DataFrame data, string label, string labelType, string labelDetail, string path)
    {
        var uses = new List<CsvColumnUse>();
        foreach (DataFrameColumn column in data.Columns.ToArray())
        {
            string type = CsvTable.TypeName(column);
            if (column.Name == label)
                uses.Add(new CsvColumnUse(column.Name, labelType, CsvColumnRole.Label, labelDetail));
            else
                uses.Add(PlanFeature(data, column, type));
        }
        if (!uses.Any(u => u.Role is CsvColumnRole.Number or CsvColumnRole.TrueFalse or CsvColumnRole.OneHot))
        {
            string skipped = string.Join("; ", uses.Where(u => u.Role == CsvColumnRole.Skipped).Select(u => $"{u.Name}: {u.Detail}"));
            throw new UsageException($"No usable feature column in '{path}' besides the label '{label}'" + (skipped.Length > 0 ? $" ({skipped})." : "."));
        }
        return new CsvFeatures(uses);
    }

    /// <summary>The transforms from the file's columns to the normalized <see cref="FeaturesColumn"/> vector.</summary>
    public IEstimator<ITransformer> CreateFeaturizer(MLContext ml)
    {
        var parts = new List<string>();
        IEstimator<ITransformer> featurizer = new EstimatorChain<ITransformer>();
        foreach (CsvColumnUse use in Columns)
        {
            switch (use.Role)
            {
                case CsvColumnRole.Number when use.Type == "text":
                    // ML.NET reads text that is not a number (the missing-value markers) as NaN.
                    featurizer = featurizer.Append(ml.Transforms.Conversion.ConvertType($"{use.Name} (number)", use.Name, DataKind.Single));
                    parts.Add($"{use.Name} (number)");
                    break;
                case CsvColumnRole.Number:
                    parts.Add(use.Name);
                    break;
                case CsvColumnRole.TrueFalse:
                    featurizer = featurizer.Append(ml.Transforms.Conversion.ConvertType($"{use.Name} (0/1)", use.Name, DataKind.Single));
                    parts.Add($"{use.Name} (0/1)");
                    break;
                case CsvColumnRole.OneHot:
                    featurizer = featurizer.Append(ml.Transforms.Categorical.OneHotEncoding($"{use.Name} (one-hot)", use.Name));
                    parts.Add($"{use.Name} (one-hot)");
                    break;
            }
        }
        return featurizer
            .Append(ml.Transforms.Concatenate(FeaturesColumn, parts.ToArray()))
            .Append(ml.Transforms.ReplaceMissingValues(FeaturesColumn, replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean))
            .Append(ml.Transforms.NormalizeMinMax(FeaturesColumn));
    }

    private static CsvColumnUse PlanFeature(DataFrame data, DataFrameColumn column, string type)
    {
        long rows = column.Length, missing = Enumerable.Range(0, (int)rows).LongCount(i => CsvTable.IsMissing(column[i]));
        if (missing == rows)
            return new CsvColumnUse(column.Name, type, CsvColumnRole.Skipped, "empty");
        if (column.DataType == typeof(string) && Enumerable.Range(0, (int)rows).All(i => CsvTable.IsMissing(column[i]) || CsvTable.IsMissingMarker(column[i])))
            return new CsvColumnUse(column.Name, type, CsvColumnRole.Skipped, "empty (only missing-value markers such as NA)");

        var distinct = new HashSet<object>();
        for (long i = 0; i < rows && distinct.Count <= Math.Max(MaxCategories, 2); i++)
        {
            if (column[i] is { } value && !CsvTable.IsMissing(value))
                distinct.Add(value);
        }
        if (distinct.Count == 1 && missing == 0)
            return new CsvColumnUse(column.Name, type, CsvColumnRole.Skipped, "the same value in every row");

        string missingNote = missing > 0 ? $", {missing} missing" : "";
        if (column.IsNumericColumn())
        {
            if (column.DataType == typeof(float) && missing == 0)
                return new CsvColumnUse(column.Name, type, CsvColumnRole.Number, "");
            // Other number types become Single, missing numbers NaN, which the featurizer replaces by the column's mean.
            var numbers = new SingleDataFrameColumn(column.Name,
                Enumerable.Range(0, (int)rows).Select(i => column[i] is { } v ? Convert.ToSingle(v, CultureInfo.InvariantCulture) : float.NaN));
            int index = data.Columns.IndexOf(column.Name);
            data.Columns.RemoveAt(index);
            data.Columns.Insert(index, numbers);
            return new CsvColumnUse(column.Name, type, CsvColumnRole.Number, missing > 0 ? $"{missing} missing → the column's mean" : "");
        }
        if (column.DataType == typeof(bool))
            return new CsvColumnUse(column.Name, type, CsvColumnRole.TrueFalse, "1 / 0" + missingNote);
        if (column.DataType == typeof(string))
        {
            if (NumbersWithMarkers(column, out long markers, out string markerText))
                return new CsvColumnUse(column.Name, type, CsvColumnRole.Number,
                    $"numbers; {missing + markers} missing ({markerText}) → the column's mean");
            if (distinct.Count > MaxCategories)
                return new CsvColumnUse(column.Name, type, CsvColumnRole.Skipped, $"more than {MaxCategories} different values (a name, an identifier, free text?)");
            if (distinct.Count > rows / 2 && distinct.Count > 2)
                return new CsvColumnUse(column.Name, type, CsvColumnRole.Skipped, $"{distinct.Count} different values in {rows} rows (a name or an identifier?)");
            return new CsvColumnUse(column.Name, type, CsvColumnRole.OneHot, $"{distinct.Count} categories" + missingNote);
        }
        return new CsvColumnUse(column.Name, type, CsvColumnRole.Skipped, $"{type} columns are not used");
    }

    /// <summary>
    /// True when a text column holds numbers and at least one missing-value marker, and nothing else besides empty
    /// cells; <paramref name="markers"/> counts the marker cells and <paramref name="markerText"/> lists the markers seen.
    /// </summary>
    private static bool NumbersWithMarkers(DataFrameColumn column, out long markers, out string markerText)
    {
        markers = 0;
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        bool anyNumber = false;
        for (long i = 0; i < column.Length; i++)
        {
            if (column[i] is not string text || text.Length == 0)
                continue;
            if (CsvTable.IsMissingMarker(text))
            {
                markers++;
                seen.Add(text.Trim());
            }
            else if (CsvTable.TryParseNumber(text, out _))
            {
                anyNumber = true;
            }
            else
            {
                markerText = "";
                return false;
            }
        }
        markerText = string.Join(", ", seen.Select(m => $"'{m}'"));
        return anyNumber && markers > 0;
    }
}
