namespace MlpTrainer.Samples.Data;

/// <summary>One column of the CSV file, its type as read, and what it is used for.</summary>
/// <param name="Name">The column's name in the header.</param>
/// <param name="Type">The type <c>DataFrame.LoadCsv</c> guessed, in words.</param>
/// <param name="Role">What the column becomes.</param>
/// <param name="Detail">Why, or how (categories, missing values).</param>
public sealed record CsvColumnUse(string Name, string Type, CsvColumnRole Role, string Detail);
