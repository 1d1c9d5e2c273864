using System.Numerics.Tensors;

namespace MlpTrainer.Losses;

/// <summary>
/// Softmax over the output layer with the cross-entropy loss, in one pass per row. For logits z and
/// class y, p = softmax(z), the loss is −log p_y = log Σ e^(z_j − max z) − (z_y − max z), and its gradient
/// with respect to z is p − onehot(y): the same buffer holds the logits in and the gradient out.
/// </summary>
internal static class SoftmaxCrossEntropy
{
    /// <summary>Turns logits into probabilities in place, stable for large logits.</summary>
    public static void Softmax(Span<float> logits)
    {
        float max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, logits);
        TensorPrimitives.Exp(logits, logits);
        float sum = TensorPrimitives.Sum(logits);
        TensorPrimitives.Divide(logits, sum, logits);
    }

    /// <summary>Replaces one row of logits by (p − onehot(label)) · <paramref name="gradientScale"/>; returns −log p_label.</summary>
    public static double RowLossAndGradient(Span<float> row, int label, float gradientScale)
    {
        float max = TensorPrimitives.Max(row);
        TensorPrimitives.Subtract(row, max, row);
        float shiftedLabelLogit = row[label];
        TensorPrimitives.Exp(row, row);
        float sum = TensorPrimitives.Sum(row);
        TensorPrimitives.Multiply(row, gradientScale / sum, row);
        row[label] -= gradientScale;
        return Math.Log(sum) - shiftedLabelLogit;
    }

    /// <summary>−log p_label of one row of logits (overwritten).</summary>
    public static double RowLoss(Span<float> row, int label)
    {
        float max = TensorPrimitives.Max(row);
        TensorPrimitives.Subtract(row, max, row);
        float shiftedLabelLogit = row[label];
        TensorPrimitives.Exp(row, row);
        return Math.Log(TensorPrimitives.Sum(row)) - shiftedLabelLogit;
    }
}
