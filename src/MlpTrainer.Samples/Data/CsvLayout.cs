using System.Globalization;
using System.Text;
using MlpTrainer.Samples.Commands;

namespace MlpTrainer.Samples.Data;

/// <summary>
/// Checks that a CSV file has the layout <see cref="CsvTable"/> reads, before <c>DataFrame.LoadCsv</c> sees it, so each
/// problem gets a message that says what is wrong with the file: a first line that names the columns (no empty, numeric
/// or repeated names), and no record with more values than the header names. Fields are comma-separated; double quotes
/// enclose a field that holds commas, line breaks or doubled quotes.
/// </summary>
public static class CsvLayout
{
    /// <summary>Throws <see cref="UsageException"/> naming the file, the line and what was expected when the layout is wrong.</summary>
    public static void Check(string path)
    {
        string name = Path.GetFileName(path);
        using var reader = new StreamReader(path);
        var records = new RecordReader(reader);
        if (!records.TryRead(out List<string> header, out int headerLine))
            throw new UsageException($"'{name}' is empty: the csv command needs a first line naming the columns, then one line per row.");

        for (int i = 0; i < header.Count; i++)
        {
            string column = header[i].Trim();
            if (column.Length == 0)
                throw new UsageException($"The first line of '{name}' should name every column, but column {i + 1} has no name: '{records.LastLineText}'.");
            if (double.TryParse(column, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                throw new UsageException($"The first line of '{name}' is not a header: it holds values ('{column}' is a number) where the csv command " +
                                         $"expects the column names, e.g. 'x1,x2,label'. Add a header line naming the {header.Count} columns.");
            int first = header.FindIndex(h => h.Trim() == column);
            if (first < i)
                throw new UsageException($"The header of '{name}' names the column '{column}' twice (columns {first + 1} and {i + 1}); give every column its own name.");
        }

        while (records.TryRead(out List<string> values, out int line))
        {
            if (values.Count > header.Count)
                throw new UsageException($"Line {line} of '{name}' has {values.Count} values, but the header names {header.Count} columns " +
                                         $"({string.Join(", ", header.Select(h => h.Trim()))}).");
        }
    }

    /// <summary>Reads comma-separated records, honouring double quotes (which may enclose commas and line breaks).</summary>
    private sealed class RecordReader
    {
        private readonly TextReader _reader;
        private int _line;

        public RecordReader(TextReader reader) => _reader = reader;

        /// <summary>The text of the last record read, for messages.</summary>
        public string LastLineText { get; private set; } = "";

        /// <summary>The next non-empty record and the line it starts on; false at the end of the file.</summary>
        public bool TryRead(out List<string> fields, out int line)
        {
            fields = new List<string>();
            line = 0;
            string? text;
            do
            {
                text = _reader.ReadLine();
                _line++;
                if (text is null)
                    return false;
            }
            while (text.Trim().Length == 0);

            line = _line;
            var record = new StringBuilder(text);
            var field = new StringBuilder();
            bool quoted = false;
            for (int i = 0; ; i++)
            {
                if (i == text.Length)
                {
                    if (!quoted)
                        break;
                    string? next = _reader.ReadLine();   // a quoted field goes on on the next line
                    if (next is null)
                        break;
                    _line++;
                    field.Append('\n');
                    record.Append('\n').Append(next);
                    text = next;
                    i = -1;
                    continue;
                }
                char c = text[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else if (c == '"')
                        quoted = false;
                    else
                        field.Append(c);
                }
                else if (c == '"')
                    quoted = true;
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else
                    field.Append(c);
            }
            fields.Add(field.ToString());
            LastLineText = record.ToString();
            return true;
        }
    }
}
