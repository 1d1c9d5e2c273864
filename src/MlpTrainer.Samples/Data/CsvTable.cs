using System.Globalization;
using Microsoft.Data.Analysis;
using MlpTrainer.Samples.Commands;

namespace MlpTrainer.Samples.Data;

/// <summary>
/// Reads a CSV file with a header row into a <see cref="DataFrame"/> (an ML.NET <c>IDataView</c>), with one-line
/// errors for the problems a user can fix. <c>DataFrame.LoadCsv</c> guesses each column's type from its values:
/// numbers become Single, true/false Boolean, anything else text; empty cells are missing values (null).
/// </summary>
public static class CsvTable
{
    /// <summary>Rows read to guess the column types: enough that a text value late in a column is seen.</summary>
    public const int GuessRows = 100_000;

    /// <summary>Cells that files write for "no value" (R's <c>NA</c>, <c>?</c>, …), compared ignoring case and surrounding spaces.</summary>
    private static readonly HashSet<string> MissingMarkers = new(StringComparer.OrdinalIgnoreCase) { "NA", "N/A", "NaN", "?", "null" };

    public static DataFrame Load(string path)
    {
        if (!File.Exists(path))
            throw new UsageException(Directory.Exists(path) ? $"'{path}' is a folder, not a CSV file." : $"The file '{path}' does not exist.");
        CsvLayout.Check(path);
        DataFrame data;
        try
        {
            data = DataFrame.LoadCsv(path, guessRows: GuessRows, cultureInfo: CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException or InvalidOperationException or IOException)
        {
            throw new UsageException($"'{path}' could not be read as a CSV file with a header row: {e.Message}");
        }
        if (data.Rows.Count == 0)
            throw new UsageException($"'{path}' has a header but no rows.");
        return data;
    }

    /// <summary>The names of the columns, for messages.</summary>
    public static string ColumnList(DataFrame data) => string.Join(", ", data.Columns.Select(c => c.Name));

    /// <summary>The column's type in words.</summary>
    public static string TypeName(DataFrameColumn column) => column.DataType switch
    {
        var t when t == typeof(string) => "text",
        var t when t == typeof(bool) => "true/false",
        var t when t == typeof(DateTime) => "date",
        _ when column.IsNumericColumn() => "number",
        var t => t.Name,
    };

    /// <summary>True when the cell is empty: null, or empty text.</summary>
    public static bool IsMissing(object? value) => value is null || value is string { Length: 0 };

    /// <summary>True when the cell is a missing-value marker such as <c>NA</c> or <c>?</c>.</summary>
    public static bool IsMissingMarker(object? value) => value is string text && MissingMarkers.Contains(text.Trim());

    /// <summary>True when the cell is text holding a number (invariant culture, surrounding spaces ignored).</summary>
    public static bool TryParseNumber(object? value, out float number)
    {
        number = 0;
        return value is string text && float.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
    }
}
