using System.Runtime.CompilerServices;
namespace MlpTrainer.Losses;

/// <summary>
/// Binary: one logit z, p = σ(z), log-loss ℓ = −y·log p − (1 − y)·log(1 − p) with y ∈ {0, 1}, computed stably as
/// max(z, 0) − y·z + log(1 + e^(−|z|)); its gradient is p − y.
/// </summary>
internal sealed class SigmoidCrossEntropyLoss : OutputLoss
{
    public override bool CountsCorrect => true;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double LossAndGradient(Span<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int rows, int width, double weightSum)
    {
        CheckSizes(outputs.Length, targets.Length, weights.Length, rows, width);
        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            float z = outputs[r], y = targets[r], w = weights[r];
            loss += w * RowLoss(z, y);
            outputs[r] = (float)(w / weightSum) * (Sigmoid(z) - y);
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
            float z = outputs[r], y = targets[r];
            if ((z > 0) == (y > 0.5f))
                correct++;
            loss += weights[r] * RowLoss(z, y);
        }
        return loss;
    }

    public static float Sigmoid(float z) => 1f / (1f + MathF.Exp(-z));

    private static double RowLoss(double z, double y) => Math.Max(z, 0) - y * z + Math.Log(1 + Math.Exp(-Math.Abs(z)));
}
