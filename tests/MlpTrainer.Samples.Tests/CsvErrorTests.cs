using MlpTrainer.Samples.Tests.Support;

namespace MlpTrainer.Samples.Tests;

/// <summary>What a user can get wrong with the <c>csv</c> command: one clear line on the error output, a non-zero exit code, no training.</summary>
public sealed class CsvErrorTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Missing_file_is_named()
    {
        string missing = _folder.File("no-such-file.csv");

        SampleResult result = SampleRunner.Run("csv", missing, "--label", "kind");

        OutputAssert.SingleErrorLine(result, "error:", missing, "does not exist");
        Assert.DoesNotContain("epochs", result.Output);
    }

    [Fact]
    public void First_line_of_values_is_not_taken_for_a_header()
    {
        string csv = CsvFiles.Lines(_folder.File("values.csv"),
            Enumerable.Range(0, 40).Select(i => $"{i * 0.5},{i % 3},{(i % 2 == 0 ? "a" : "b")}").ToArray());

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "kind");

        OutputAssert.SingleErrorLine(result, "The first line of 'values.csv' is not a header", "'0' is a number", "naming the 3 columns");
        Assert.DoesNotContain("Index was outside", result.Errors);
    }

    [Fact]
    public void Row_with_more_values_than_the_header_is_named_by_its_line()
    {
        string csv = CsvFiles.Lines(_folder.File("ragged.csv"),
            new[] { "x,kind" }.Concat(Enumerable.Range(0, 30).Select(i => i == 6 ? $"{i},a,extra" : $"{i},{(i % 2 == 0 ? "a" : "b")}")).ToArray());

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "kind");

        OutputAssert.SingleErrorLine(result, "Line 8 of 'ragged.csv' has 3 values, but the header names 2 columns (x, kind)");
    }

    [Fact]
    public void Header_naming_a_column_twice_is_refused()
    {
        string csv = CsvFiles.Lines(_folder.File("twice.csv"),
            new[] { "x,kind,x" }.Concat(Enumerable.Range(0, 30).Select(i => $"{i},{(i % 2 == 0 ? "a" : "b")},{i}")).ToArray());

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "kind");

        OutputAssert.SingleErrorLine(result, "names the column 'x' twice (columns 1 and 3)");
    }

    [Fact]
    public void Header_with_an_unnamed_column_is_refused()
    {
        string csv = CsvFiles.Lines(_folder.File("unnamed.csv"),
            new[] { "x,,kind" }.Concat(Enumerable.Range(0, 30).Select(i => $"{i},{i},{(i % 2 == 0 ? "a" : "b")}")).ToArray());

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "kind");

        OutputAssert.SingleErrorLine(result, "column 2 has no name", "'x,,kind'");
    }

    [Fact]
    public void Empty_file_is_refused()
    {
        string csv = CsvFiles.Lines(_folder.File("empty.csv"));

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "kind");

        OutputAssert.SingleErrorLine(result, "'empty.csv' is empty", "first line naming the columns");
    }

    [Fact]
    public void Quoted_fields_with_commas_and_line_breaks_count_as_one_value()
    {
        string csv = CsvFiles.Lines(_folder.File("quoted.csv"),
            new[] { "x,note,kind" }.Concat(Enumerable.Range(0, 40).Select(i => $"{i},\"a, b\nc\",{(i % 2 == 0 ? "a" : "b")}")).ToArray());

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "kind", "--epochs", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public void Missing_label_column_is_named_and_the_columns_are_listed()
    {
        string csv = CsvFiles.Multiclass(_folder.File("animals.csv"));

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "species");

        OutputAssert.SingleErrorLine(result, "'species'", "Its columns: id, x1, x2, colour, flag, kind.");
    }

    [Fact]
    public void No_usable_feature_column()
    {
        string csv = CsvFiles.Lines(_folder.File("ids.csv"),
            new[] { "name,kind" }.Concat(Enumerable.Range(0, 80).Select(i => $"n{i},{(i % 2 == 0 ? "a" : "b")}")).ToArray());

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "kind");

        OutputAssert.SingleErrorLine(result, "No usable feature column", "'kind'", "name:");
    }

    [Fact]
    public void Binary_label_with_three_values_is_refused()
    {
        string csv = CsvFiles.Multiclass(_folder.File("animals.csv"));

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "kind", "--task", "binary");

        OutputAssert.SingleErrorLine(result, "'kind'", "3 different values", "'bird', 'cat', 'dog'", "exactly two");
    }

    [Fact]
    public void Regression_label_of_text_is_refused()
    {
        string csv = CsvFiles.Multiclass(_folder.File("animals.csv"));

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "kind", "--task", "regression");

        OutputAssert.SingleErrorLine(result, "'kind'", "text", "needs numbers");
    }

    [Fact]
    public void Multiclass_label_of_fractional_numbers_points_to_regression()
    {
        string csv = CsvFiles.Regression(_folder.File("houses.csv"));

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "price");

        OutputAssert.SingleErrorLine(result, "'price'", "not whole", "--task regression");
    }

    [Fact]
    public void Multiclass_label_with_a_single_value_is_refused()
    {
        string csv = CsvFiles.Lines(_folder.File("same.csv"),
            new[] { "x,kind" }.Concat(Enumerable.Range(0, 30).Select(i => $"{i},same")).ToArray());

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "kind");

        OutputAssert.SingleErrorLine(result, "'kind'", "only one value", "'same'");
    }

    [Fact]
    public void Missing_label_option_and_bad_option_values_are_parse_errors()
    {
        string csv = CsvFiles.Multiclass(_folder.File("animals.csv"));

        Assert.Contains("--label", SampleRunner.Run("csv", csv).Errors);
        Assert.NotEqual(0, SampleRunner.Run("csv", csv).ExitCode);
        Assert.NotEqual(0, SampleRunner.Run("csv", csv, "--label", "kind", "--task", "ranking").ExitCode);
        Assert.Contains("64,32", SampleRunner.Run("csv", csv, "--label", "kind", "--hidden", "64,x").Errors);
        Assert.NotEqual(0, SampleRunner.Run("csv", csv, "--label", "kind", "--epochs", "0").ExitCode);
    }
}
