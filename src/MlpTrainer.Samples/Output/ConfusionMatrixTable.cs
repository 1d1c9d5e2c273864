using Microsoft.ML.Data;
using Spectre.Console;

namespace MlpTrainer.Samples.Output;

/// <summary>ML.NET's confusion matrix as a table: a row per actual class, a column per predicted class, the diagonal in green.</summary>
public static class ConfusionMatrixTable
{
    public const string Title = "Confusion matrix";

    /// <param name="matrix">From the evaluator's metrics.</param>
    /// <param name="classNames">The classes in the matrix's order.</param>
    public static Table Create(ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        int classes = matrix.NumberOfClasses;
        // Long or many class names would make the table too wide: number the columns and name the rows.
        bool numbered = classes > 6 || classNames.Any(name => name.Length > 10);
        string RowName(int c) => numbered ? $"{c}: {classNames[c]}" : classNames[c];
        string ColumnName(int c) => numbered ? c.ToString() : classNames[c];

        var table = new Table()
            .Title(Title)
            .AddColumn(new TableColumn(numbered ? "actual \\ pred." : "actual \\ predicted").NoWrap());
        for (int c = 0; c < classes; c++)
            table.AddColumn(new TableColumn(Markup.Escape(ColumnName(c))).RightAligned());

        for (int actual = 0; actual < classes; actual++)
        {
            var cells = new List<string> { Markup.Escape(RowName(actual)) };
            for (int predicted = 0; predicted < classes; predicted++)
            {
                string count = matrix.Counts[actual][predicted].ToString("0");
                cells.Add(actual == predicted ? $"[green]{count}[/]" : count == "0" ? "[grey]0[/]" : $"[red]{count}[/]");
            }
            table.AddRow(cells.ToArray());
        }
        return table;
    }
}
