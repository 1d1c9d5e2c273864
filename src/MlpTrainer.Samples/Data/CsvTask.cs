namespace MlpTrainer.Samples.Data;

/// <summary>What the <c>csv</c> command trains: the catalog trainer, the label it needs and the evaluator.</summary>
public enum CsvTask
{
    /// <summary>Classes of any type (text, numbers, true/false); <c>MapValueToKey</c> turns them into a key label.</summary>
    Multiclass,

    /// <summary>A Boolean label; a column with exactly two values becomes one (the value that sorts second is true).</summary>
    Binary,

    /// <summary>A numeric label, read as Single; the trainer standardises it (<c>NormalizeLabel</c>).</summary>
    Regression,
}
