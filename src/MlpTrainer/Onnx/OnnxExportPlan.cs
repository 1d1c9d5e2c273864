using MlpTrainer.Model;

namespace MlpTrainer.Onnx;

/// <summary>What one graph output carries.</summary>
internal enum OnnxOutputKind
{
    /// <summary>Class probabilities (multiclass), the logit (binary) or the value (regression).</summary>
    Score,

    /// <summary>The binary classifier's σ(logit).</summary>
    Probability,

    /// <summary>The predicted key (multiclass, 1-based uint32) or the Boolean decision (binary).</summary>
    PredictedLabel,

    /// <summary>The predicted key mapped back to the label's original value (a <c>MapKeyToValue</c> after the trainer).</summary>
    LabelValue,

    /// <summary>A copy of an earlier output, <see cref="OnnxOutput.Source"/> (a <c>CopyColumns</c> after the trainer).</summary>
    Copy,
}

/// <summary>One graph output: its name (the ML.NET column it reproduces), what it carries and, for a copy, the output it copies.</summary>
internal sealed record OnnxOutput(string Name, OnnxOutputKind Kind, string? Source = null);

/// <summary>
/// The original values of the label's keys, for <see cref="OnnxOutputKind.LabelValue"/> outputs: key k (1-based)
/// is <c>Values[k − 1]</c>, held as a constant tensor of the values' ONNX element type.
/// </summary>
internal sealed record OnnxKeyValues(Proto.TensorProto.Types.DataType ElementType, Array Values, string TypeName);

/// <summary>
/// Everything the graph needs, read from a fitted MLP transformer or pipeline by <see cref="OnnxPipelineReader"/>:
/// the network, the feature inputs, the affine feature map the pipeline's normalizers amount to (folded into the
/// first layer), the binary threshold, and the outputs in ML.NET's column order.
/// </summary>
internal sealed class OnnxExportPlan
{
    public required MlpNetwork Network { get; init; }

    public MlpTask Task => Network.Task;

    /// <summary>
    /// The data columns the features are made of, in slot order: one graph input per distinct name, joined with
    /// <c>Concat</c> when there are several (a column named twice is one input read twice).
    /// </summary>
    public required IReadOnlyList<OnnxInput> Inputs { get; init; }

    /// <summary>
    /// Normalized features are <c>x·InputScale + InputShift</c>, per feature; both null without a normalizer.
    /// Kept in double so folding adds no rounding of its own.
    /// </summary>
    public double[]? InputScale { get; init; }

    public double[]? InputShift { get; init; }

    /// <summary>Binary only: PredictedLabel = (Probability if <see cref="ThresholdOnProbability"/>, else Score) &gt; Threshold.</summary>
    public float Threshold { get; init; }

    public bool ThresholdOnProbability { get; init; }

    public required IReadOnlyList<OnnxOutput> Outputs { get; init; }

    /// <summary>The label's key values, when there is a <see cref="OnnxOutputKind.LabelValue"/> output.</summary>
    public OnnxKeyValues? KeyValues { get; init; }

    /// <summary>The pipeline's transformers in order, each with what the exporter did with it (for the model's doc string).</summary>
    public required IReadOnlyList<string> PipelineSummary { get; init; }
}
