using System.Globalization;
using Microsoft.Data.Analysis;
using MlpTrainer.Samples.Commands;

namespace MlpTrainer.Samples.Data;

/// <summary>
/// Checks that the label column suits the task and gives it the type the trainer needs:
/// multiclass takes classes of any type as they are (the pipeline maps them to keys); binary needs a Boolean, so a
/// column with exactly two values is converted — the value that sorts second (numbers by value, text alphabetically,
/// ignoring case: 0/1, no/yes, false/true, ham/spam) becomes <c>true</c>; regression needs numbers, read as Single.
/// </summary>
public static class CsvLabel
{
    /// <summary>More distinct values than this, in more than half the rows, is not a column of classes.</summary>
    public const int MaxClasses = 100;

    /// <summary>Finds the label column; a missing one is an error that lists the file's columns.</summary>
    public static DataFrameColumn Find(DataFrame data, string label, string path)
    {
        int index = data.Columns.IndexOf(label);
        if (index < 0)
            throw new UsageException($"The label column '{label}' is not in '{path}'. Its columns: {CsvTable.ColumnList(data)}.");
        return data.Columns[index];
    }

    /// <summary>The rows that have a label: not empty, and not a missing-value marker such as <c>NA</c>.</summary>
    public static DataFrame DropMissing(DataFrame data, string label, out long dropped)
    {
        DataFrameColumn column = data[label];
        var keep = new PrimitiveDataFrameColumn<bool>("keep",
            Enumerable.Range(0, (int)column.Length).Select(i => !CsvTable.IsMissing(column[i]) && !CsvTable.IsMissingMarker(column[i])));
        DataFrame kept = data.Filter(keep);
        dropped = data.Rows.Count - kept.Rows.Count;
        if (kept.Rows.Count == 0)
            throw new UsageException($"The label column '{label}' is empty in every row.");
        return kept;
    }

    /// <summary>Checks the label for <paramref name="task"/>, converts it in place when needed, and describes it in one line.</summary>
    public static string Prepare(DataFrame data, string label, CsvTask task)
    {
        // Numbers read as text because of missing-value markers, whose rows DropMissing has left out: numbers again, so
        // they sort by value (binary, classes) and can be a regression target.
        if (data[label].DataType == typeof(string) && FiniteNumbers(data[label]) is float[] numbers)
            Replace(data, new SingleDataFrameColumn(label, numbers));
        return task switch
        {
            CsvTask.Multiclass => PrepareMulticlass(data[label]),
            CsvTask.Binary => PrepareBinary(data, label),
            CsvTask.Regression => PrepareRegression(data, label),
            _ => throw new ArgumentOutOfRangeException(nameof(task), task, null),
        };
    }

    private static string PrepareMulticlass(DataFrameColumn column)
    {
        if (column.DataType != typeof(string) && column.DataType != typeof(bool) && column.DataType != typeof(float))
            throw new UsageException($"The label '{column.Name}' holds {CsvTable.TypeName(column)} values; --task multiclass needs classes (text, whole numbers or true/false).");
        List<object> classes = Distinct(column);
        if (classes.Count < 2)
            throw new UsageException($"The label '{column.Name}' has only one value ({Show(classes[0])}); a classifier needs at least two classes.");
        if (column.DataType == typeof(float) && classes.Cast<float>().Where(v => v != MathF.Round(v)).Select(v => (float?)v).FirstOrDefault() is float fraction)
            throw new UsageException($"The label '{column.Name}' holds numbers that are not whole, such as {Show(fraction)}: for a numeric target use --task regression.");
        if (classes.Count > MaxClasses && classes.Count > column.Length / 2)
            throw new UsageException($"The label '{column.Name}' has {classes.Count} different values in {column.Length} rows, too many for classes: for a numeric target use --task regression.");
        return $"{classes.Count} classes: {Preview(classes, 10)}";
    }

    private static string PrepareBinary(DataFrame data, string label)
    {
        DataFrameColumn column = data[label];
        List<object> values = Distinct(column);
        if (column.DataType == typeof(bool))
        {
            if (values.Count < 2)
                throw new UsageException($"The label '{label}' is {Show(values[0])} in every row; a classifier needs both true and false.");
            return "true/false";
        }
        if (values.Count != 2)
        {
            throw new UsageException($"The label '{label}' has {values.Count} different values ({Preview(values, 5)}); --task binary needs exactly two " +
                                     "(the one that sorts second becomes true) or a true/false column. For more classes use --task multiclass.");
        }

        object negative = values[0], positive = values[1];
        var converted = new BooleanDataFrameColumn(label, Enumerable.Range(0, (int)column.Length).Select(i => Equals(column[i], positive)));
        Replace(data, converted);
        return $"{Show(negative)} → false, {Show(positive)} → true";
    }

    private static string PrepareRegression(DataFrame data, string label)
    {
        DataFrameColumn column = data[label];
        if (!column.IsNumericColumn())
        {
            List<object> values = Distinct(column);
            object example = values.FirstOrDefault(v => !CsvTable.TryParseNumber(v, out _)) ?? values[0];
            throw new UsageException($"The label '{label}' holds {CsvTable.TypeName(column)} values such as {Show(example)}; --task regression needs numbers.");
        }
        if (column.DataType != typeof(float))
            Replace(data, new SingleDataFrameColumn(label, Enumerable.Range(0, (int)column.Length).Select(i => Convert.ToSingle(column[i], CultureInfo.InvariantCulture))));
        return "numbers (standardised for training, predictions in the label's units)";
    }

    /// <summary>The cells as numbers when every one is text holding a finite number; otherwise null.</summary>
    private static float[]? FiniteNumbers(DataFrameColumn column)
    {
        var numbers = new float[column.Length];
        for (long i = 0; i < column.Length; i++)
        {
            if (!CsvTable.TryParseNumber(column[i], out numbers[i]) || !float.IsFinite(numbers[i]))
                return null;
        }
        return numbers;
    }

    /// <summary>The distinct non-missing values in order: numbers by value, text alphabetically ignoring case, false before true.</summary>
    private static List<object> Distinct(DataFrameColumn column)
    {
        var values = new HashSet<object>();
        for (long i = 0; i < column.Length; i++)
        {
            if (column[i] is { } value && !CsvTable.IsMissing(value))
                values.Add(value);
        }
        return column.DataType == typeof(string)
            ? values.OrderBy(v => (string)v, StringComparer.OrdinalIgnoreCase).ThenBy(v => (string)v, StringComparer.Ordinal).ToList()
            : values.Order().ToList();
    }

    private static void Replace(DataFrame data, DataFrameColumn column)
    {
        int index = data.Columns.IndexOf(column.Name);
        data.Columns.RemoveAt(index);
        data.Columns.Insert(index, column);
    }

    private static string Show(object value) => value switch
    {
        string text => $"'{text}'",
        float number => number.ToString(CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static string Preview(List<object> values, int count)
        => string.Join(", ", values.Take(count).Select(Show)) + (values.Count > count ? ", …" : "");
}
