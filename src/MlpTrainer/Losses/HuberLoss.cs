using System.Runtime.CompilerServices;
namespace MlpTrainer.Losses;

/// <summary>
/// Regression with Huber's loss (PyTorch's <c>HuberLoss(delta)</c>): with r = z − y, ℓ = ½r² for |r| ≤ δ and
/// δ(|r| − ½δ) beyond; ∂ℓ/∂z = r clipped to [−δ, δ]. Quadratic near the target, linear for outliers.
/// </summary>
internal sealed class HuberLoss : OutputLoss
{
    private readonly float _delta;

    public HuberLoss(float delta) => _delta = delta;

    public override bool CountsCorrect => false;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double LossAndGradient(Span<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int rows, int width, double weightSum)
    {
        CheckSizes(outputs.Length, targets.Length, weights.Length, rows, width);
        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            float residual = outputs[r] - targets[r], w = weights[r];
            loss += w * RowLoss(residual);
            outputs[r] = (float)(w / weightSum) * Math.Clamp(residual, -_delta, _delta);
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
            loss += weights[r] * RowLoss(outputs[r] - targets[r]);
        return loss;
    }

    private double RowLoss(double residual)
    {
        double a = Math.Abs(residual);
        return a <= _delta ? 0.5 * residual * residual : _delta * (a - 0.5 * _delta);
    }
}
