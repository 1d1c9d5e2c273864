using System.Runtime.CompilerServices;
namespace MlpTrainer.Losses;

/// <summary>Regression: ℓ = (z − y)², so the minibatch loss is the (weighted) mean squared error; ∂ℓ/∂z = 2(z − y).</summary>
internal sealed class SquaredErrorLoss : OutputLoss
{
    public override bool CountsCorrect => false;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double LossAndGradient(Span<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int rows, int width, double weightSum)
    {
        CheckSizes(outputs.Length, targets.Length, weights.Length, rows, width);
        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            float residual = outputs[r] - targets[r], w = weights[r];
            loss += w * ((double)residual * residual);
            outputs[r] = (float)(2 * w / weightSum) * residual;
        }
        return loss;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double Evaluate(Span<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int rows, int width, out long correct)
    {
        CheckSizes(outputs.Length, targets.Length, weights.Length, rows, width);
        correct = 0;
        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            double residual = outputs[r] - targets[r];
            loss += weights[r] * residual * residual;
        }
        return loss;
    }
}
