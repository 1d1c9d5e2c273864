using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using MlpTrainer.Kernels;

namespace MlpTrainer.Losses;

/// <summary>
/// Softmax over the output layer with the cross-entropy loss, in one pass per row. The exponential and the sum are
/// System.Numerics.Tensors' (training, validation and scoring alike, so the numbers are those models were trained and
/// saved with); the exact steps (max, shift, scale) are <see cref="RowKernel"/>'s, optimised from the first call. For logits z and
/// class y, p = softmax(z), the loss is −log p_y = log Σ e^(z_j − max z) − (z_y − max z), and its gradient
/// with respect to z is p − onehot(y): the same buffer holds the logits in and the gradient out.
/// </summary>
internal static class SoftmaxCrossEntropy
{
    /// <summary>Turns logits into probabilities in place, stable for large logits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softmax(Span<float> logits)
    {
        float max = RowKernel.Max(logits);
        RowKernel.Subtract(logits, max);
        RowKernel.Exp(logits);
        float sum = TensorPrimitives.Sum(logits);
        RowKernel.Divide(logits, sum);
    }

    /// <summary>Replaces one row of logits by (p − onehot(label)) · <paramref name="gradientScale"/>; returns −log p_label.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double RowLossAndGradient(Span<float> row, int label, float gradientScale)
    {
        float max = RowKernel.Max(row);
        RowKernel.Subtract(row, max);
        float shiftedLabelLogit = row[label];
        RowKernel.Exp(row);
        float sum = TensorPrimitives.Sum(row);
        RowKernel.Multiply(row, gradientScale / sum);
        row[label] -= gradientScale;
        return Math.Log(sum) - shiftedLabelLogit;
    }

    /// <summary>−log p_label of one row of logits (overwritten).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double RowLoss(Span<float> row, int label)
    {
        float max = RowKernel.Max(row);
        RowKernel.Subtract(row, max);
        float shiftedLabelLogit = row[label];
        RowKernel.Exp(row);
        return Math.Log(TensorPrimitives.Sum(row)) - shiftedLabelLogit;
    }
}
