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

    /// <summary>
    /// For each of <paramref name="rows"/> rows of <paramref name="logitsToGradient"/> (row-major,
    /// <paramref name="classes"/> wide): replaces the logits by (p − onehot(label)) · <paramref name="gradientScale"/>
    /// and returns the sum over rows of −log p_label (in double, unscaled).
    /// </summary>
    public static double LossAndGradient(Span<float> logitsToGradient, ReadOnlySpan<int> labels, int rows, int classes, float gradientScale)
    {
        if (logitsToGradient.Length < rows * classes)
            throw new ArgumentException($"{rows} rows of {classes} logits need {rows * classes} elements; got {logitsToGradient.Length}.", nameof(logitsToGradient));
        if (labels.Length < rows)
            throw new ArgumentException($"{rows} rows need {rows} labels; got {labels.Length}.", nameof(labels));

        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            int label = labels[r];
            if ((uint)label >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"Row {r} has class {label}; classes are 0 to {classes - 1}.");
            loss += RowLossAndGradient(logitsToGradient.Slice(r * classes, classes), label, gradientScale);
        }
        return loss;
    }
}
