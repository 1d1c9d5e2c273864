using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using MlpTrainer.Kernels;

namespace MlpTrainer.Losses;

/// <summary>
/// Softmax over the output layer with the cross-entropy loss, in one pass per row. Training's loss and gradient use
/// <see cref="RowKernel"/> throughout (its exponential is MathF.Exp), optimised from the first call; scoring's
/// <see cref="Softmax"/> keeps System.Numerics.Tensors' vectorised exponential, so saved models score exactly as they
/// always have. For logits z and
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
        TensorPrimitives.Exp(logits, logits);
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
        float sum = RowKernel.ExpAndSum(row);
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
        return Math.Log(RowKernel.ExpAndSum(row)) - shiftedLabelLogit;
    }
}
