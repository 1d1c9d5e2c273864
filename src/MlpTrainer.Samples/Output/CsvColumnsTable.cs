using MlpTrainer.Samples.Data;
using Spectre.Console;

namespace MlpTrainer.Samples.Output;

/// <summary>The columns of a CSV file and what the <c>csv</c> command uses each one for.</summary>
public static class CsvColumnsTable
{
    public static Table Create(string fileName, IReadOnlyList<CsvColumnUse> columns)
    {
        var table = new Table().Title($"Columns of {Markup.Escape(fileName)}").AddColumns("Column", "Read as", "Used as", "");
        foreach (CsvColumnUse column in columns)
        {
            string role = column.Role switch
            {
                CsvColumnRole.Label => "[bold]label[/]",
                CsvColumnRole.Number => "feature",
                CsvColumnRole.TrueFalse => "feature",
                CsvColumnRole.OneHot => "feature, one-hot",
                _ => "[grey]skipped[/]",
            };
            table.AddRow(Markup.Escape(column.Name), column.Type, role, Markup.Escape(column.Detail));
        }
        return table;
    }
}
