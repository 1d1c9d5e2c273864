namespace MlpTrainer.Samples.Data;

/// <summary>What the <c>csv</c> command does with a column of the file.</summary>
public enum CsvColumnRole
{
    Label,
    Number,
    TrueFalse,
    OneHot,
    Skipped,
}
