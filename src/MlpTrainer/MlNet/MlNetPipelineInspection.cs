using Microsoft.ML.Data;

namespace MlpTrainer;

/// <summary>
/// The two facts about a fitted pipeline that the ONNX exporter needs and ML.NET keeps internal: which columns a
/// one-to-one transformer (normalizer, key mapping, copy) reads and writes, which columns a <c>Concatenate</c> joins,
/// and a binary prediction transformer's
/// decision threshold. Part of the ML.NET bridge: read-only, nothing is changed.
/// </summary>
internal static class MlNetPipelineInspection
{
    /// <summary>The (output, input) column pairs of a one-to-one transformer, in its column order.</summary>
    public static IReadOnlyList<(string Output, string Input)> ColumnPairs(OneToOneTransformerBase transformer)
        => transformer.ColumnPairs.Select(p => (p.outputColumnName, p.inputColumnName)).ToArray();

    /// <summary>The columns a <c>Concatenate</c> writes, each with the columns it joins, in order.</summary>
    public static IReadOnlyList<(string Output, IReadOnlyList<string> Inputs)> ConcatenatedColumns(ColumnConcatenatingTransformer transformer)
        => transformer.Columns.Select(c => (c.outputColumnName, (IReadOnlyList<string>)c.inputColumnNames.ToArray())).ToArray();

    /// <summary>
    /// The threshold a binary prediction transformer compares with, and the column it compares (<c>Score</c> unless
    /// changed with <c>ChangeModelThreshold</c>): <c>PredictedLabel = column &gt; threshold</c>.
    /// </summary>
    public static (float Threshold, string Column) BinaryThreshold<TModel>(BinaryPredictionTransformer<TModel> transformer)
        where TModel : class
        => (transformer.Threshold, transformer.ThresholdColumn);
}
