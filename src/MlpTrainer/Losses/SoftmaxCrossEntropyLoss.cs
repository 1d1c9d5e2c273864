using System.Runtime.CompilerServices;
namespace MlpTrainer.Losses;

/// <summary>Multiclass: softmax over the logits with cross-entropy; the target is the class index.</summary>
internal sealed class SoftmaxCrossEntropyLoss : OutputLoss
{
    public override bool CountsCorrect => true;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double LossAndGradient(Span<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int rows, int width, double weightSum)
    {
        CheckSizes(outputs.Length, targets.Length, weights.Length, rows, width);
        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            float w = weights[r];
            loss += w * SoftmaxCrossEntropy.RowLossAndGradient(outputs.Slice(r * width, width), ClassOf(targets[r], width, r), (float)(w / weightSum));
        }
        return loss;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double Evaluate(Span<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int rows, int width, out long correct)
    {
        CheckSizes(outputs.Length, targets.Length, weights.Length, rows, width);
        double loss = 0;
        correct = 0;
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = outputs.Slice(r * width, width);
            int label = ClassOf(targets[r], width, r);
            if (Kernels.RowKernel.IndexOfMax(row) == label)
                correct++;
            loss += weights[r] * SoftmaxCrossEntropy.RowLoss(row, label);
        }
        return loss;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ClassOf(float target, int classes, int row)
    {
        int label = (int)target;
        if (label != target || (uint)label >= (uint)classes)
            throw new ArgumentOutOfRangeException("targets", target, $"Row {row} has class {target}; classes are 0 to {classes - 1}.");
        return label;
    }
}
