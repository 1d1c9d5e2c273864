using MlpTrainer.Losses;
using MlpTrainer.Model;

namespace MlpTrainer.Tests.Tasks;

/// <summary>
/// The binary and regression losses against their formulas, evaluated independently in double: the value
/// Σ wᵣℓᵣ, the gradient ∂(Σ wᵣℓᵣ / W)/∂z written over the outputs, and Evaluate's loss and count of correct rows.
/// </summary>
public class TaskLossTests
{
    private const double Tolerance = 1e-6; // relative, on values of order 1; the losses compute in float then double

    private static readonly float[] Weights = { 0.5f, 2f, 1f, 3f, 0.25f, 1.5f };
    private const double WeightSum = 7.0;    // passed as W; deliberately not Σw, to see that the gradient divides by W

    [Fact]
    public void SigmoidCrossEntropyLossIsTheWeightedSumOfLogLosses()
    {
        float[] z = { 2.5f, -1.25f, 0.3f, -4f, 7f, 0f };
        float[] y = { 1, 1, 0, 0, 0, 1 };

        double loss = new SigmoidCrossEntropyLoss().LossAndGradient(z.ToArray(), y, Weights, 6, 1, WeightSum);

        double expected = 0;
        for (int r = 0; r < 6; r++)
        {
            double p = 1 / (1 + Math.Exp(-(double)z[r]));
            expected += Weights[r] * -(y[r] * Math.Log(p) + (1 - y[r]) * Math.Log(1 - p));
        }
        Assert.Equal(expected, loss, expected * Tolerance);
    }

    [Fact]
    public void SigmoidCrossEntropyGradientIsWeightOverWeightSumTimesProbabilityMinusLabel()
    {
        float[] z = { 2.5f, -1.25f, 0.3f, -4f, 7f, 0f };
        float[] y = { 1, 1, 0, 0, 0, 1 };
        float[] gradient = z.ToArray();

        new SigmoidCrossEntropyLoss().LossAndGradient(gradient, y, Weights, 6, 1, WeightSum);

        for (int r = 0; r < 6; r++)
        {
            double expected = Weights[r] / WeightSum * (1 / (1 + Math.Exp(-(double)z[r])) - y[r]);
            Assert.True(Math.Abs(gradient[r] - expected) <= 1e-7, $"row {r}: expected {expected:G9}, got {gradient[r]:G9}");
        }
    }

    [Fact]
    public void SigmoidCrossEntropyLossStaysFiniteAndAccurateForLargeLogits()
    {
        // A confidently wrong logit of ±60: log σ(z) underflows if computed naively; the loss is |z| + log(1 + e^−|z|) ≈ 60.
        float[] z = { 60f, -60f, 60f, -60f };
        float[] y = { 0, 1, 1, 0 };
        float[] ones = { 1, 1, 1, 1 };
        float[] gradient = z.ToArray();

        double loss = new SigmoidCrossEntropyLoss().LossAndGradient(gradient, y, ones, 4, 1, 4);

        Assert.Equal(120.0, loss, 1e-9);
        double[] expected = { 0.25, -0.25, 0, 0 };
        for (int r = 0; r < 4; r++)
            Assert.True(Math.Abs(gradient[r] - expected[r]) <= 1e-7, $"row {r}: expected {expected[r]}, got {gradient[r]:G9}");
    }

    [Fact]
    public void SquaredErrorLossIsTheWeightedSumOfSquaredResiduals()
    {
        float[] z = { 1.5f, -0.25f, 3f, 0.1f, -2f, 0.75f };
        float[] y = { 1f, 0.5f, -1f, 0.1f, 2f, 0f };

        double loss = new SquaredErrorLoss().LossAndGradient(z.ToArray(), y, Weights, 6, 1, WeightSum);

        double expected = 0;
        for (int r = 0; r < 6; r++)
            expected += Weights[r] * Math.Pow((double)z[r] - y[r], 2);
        Assert.Equal(expected, loss, expected * Tolerance);
    }

    [Fact]
    public void SquaredErrorGradientIsTwiceTheWeightedResidualOverTheWeightSum()
    {
        float[] z = { 1.5f, -0.25f, 3f, 0.1f, -2f, 0.75f };
        float[] y = { 1f, 0.5f, -1f, 0.1f, 2f, 0f };
        float[] gradient = z.ToArray();

        new SquaredErrorLoss().LossAndGradient(gradient, y, Weights, 6, 1, WeightSum);

        for (int r = 0; r < 6; r++)
        {
            double expected = 2 * Weights[r] / WeightSum * ((double)z[r] - y[r]);
            Assert.True(Math.Abs(gradient[r] - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"row {r}: expected {expected:G9}, got {gradient[r]:G9}");
        }
    }

    [Fact]
    public void HuberLossIsHalfTheSquareInsideDeltaAndLinearOutside()
    {
        const float delta = 0.5f;
        // Residuals z − y: 0.2 and −0.4 inside δ; 1.5, −2 and 0.75 outside; 0 exactly.
        float[] y = { 1f, 1f, 1f, 1f, 1f, 1f };
        float[] z = { 1.2f, 0.6f, 2.5f, -1f, 1.75f, 1f };

        double loss = new HuberLoss(delta).LossAndGradient(z.ToArray(), y, Weights, 6, 1, WeightSum);

        double expected = 0;
        for (int r = 0; r < 6; r++)
        {
            double a = Math.Abs((double)z[r] - y[r]);
            expected += Weights[r] * (a <= delta ? 0.5 * a * a : delta * a - 0.5 * delta * delta);
        }
        Assert.Equal(expected, loss, expected * Tolerance);
    }

    [Fact]
    public void HuberGradientIsTheResidualClippedToDeltaTimesWeightOverWeightSum()
    {
        const float delta = 0.5f;
        float[] y = { 1f, 1f, 1f, 1f, 1f, 1f };
        float[] z = { 1.2f, 0.6f, 2.5f, -1f, 1.75f, 1f };
        float[] gradient = z.ToArray();

        new HuberLoss(delta).LossAndGradient(gradient, y, Weights, 6, 1, WeightSum);

        double[] clipped = { 0.2, -0.4, 0.5, -0.5, 0.5, 0 };
        for (int r = 0; r < 6; r++)
        {
            double expected = Weights[r] / WeightSum * clipped[r];
            Assert.True(Math.Abs(gradient[r] - expected) <= 1e-6, $"row {r}: expected {expected:G9}, got {gradient[r]:G9}");
        }
    }

    [Fact]
    public void SigmoidCrossEntropyEvaluateCountsRowsWhoseLogitSignMatchesTheLabel()
    {
        // z > 0 predicts 1. Right: (2, 1), (−3, 0), (0, 0), (0.01, 1); wrong: (−1, 1), (0.5, 0), (0, 1).
        float[] z = { 2f, -3f, 0f, 0.01f, -1f, 0.5f, 0f };
        float[] y = { 1, 0, 0, 1, 1, 0, 1 };
        float[] ones = Enumerable.Repeat(1f, 7).ToArray();

        new SigmoidCrossEntropyLoss().Evaluate(z, y, ones, 7, 1, out long correct);

        Assert.Equal(4, correct);
    }

    [Fact]
    public void EvaluateReturnsTheSameWeightedSumAsLossAndGradient()
    {
        float[] z = { 1.5f, -0.25f, 3f, 0.1f, -2f, 0.75f };
        float[] binaryTargets = { 1, 0, 0, 1, 1, 0 }, values = { 1f, 0.5f, -1f, 0.1f, 2f, 0f };
        foreach ((OutputLoss loss, float[] y) in new (OutputLoss, float[])[]
                 {
                     (new SigmoidCrossEntropyLoss(), binaryTargets), (new SquaredErrorLoss(), values), (new HuberLoss(0.5f), values),
                 })
        {
            double trained = loss.LossAndGradient(z.ToArray(), y, Weights, 6, 1, WeightSum);
            double evaluated = loss.Evaluate(z.ToArray(), y, Weights, 6, 1, out _);
            Assert.True(Math.Abs(trained - evaluated) <= 1e-9 * Math.Abs(trained), $"{loss.GetType().Name}: {trained:R} vs {evaluated:R}");
        }
    }

    [Fact]
    public void RegressionLossesCountNoCorrectRows()
    {
        float[] z = { 1f, 2f, 3f }, y = { 1f, 2f, 3f }, ones = { 1, 1, 1 };

        new SquaredErrorLoss().Evaluate(z.ToArray(), y, ones, 3, 1, out long squaredCorrect);
        new HuberLoss(1f).Evaluate(z.ToArray(), y, ones, 3, 1, out long huberCorrect);

        Assert.Equal(0, squaredCorrect);
        Assert.Equal(0, huberCorrect);
        Assert.False(new SquaredErrorLoss().CountsCorrect);
        Assert.False(new HuberLoss(1f).CountsCorrect);
        Assert.True(new SigmoidCrossEntropyLoss().CountsCorrect);
    }

    [Fact]
    public void LossForPicksEachTasksLossAndHubersDelta()
    {
        Assert.IsType<SigmoidCrossEntropyLoss>(OutputLoss.For(MlpTask.Binary, MlpRegressionLoss.Huber, 2f));
        Assert.IsType<SquaredErrorLoss>(OutputLoss.For(MlpTask.Regression, MlpRegressionLoss.SquaredError, 2f));
        OutputLoss huber = OutputLoss.For(MlpTask.Regression, MlpRegressionLoss.Huber, 2f);
        Assert.IsType<HuberLoss>(huber);

        // δ = 2: a residual of 3 is clipped to 2, one of 1.5 is not.
        float[] gradient = { 3f, 1.5f };
        huber.LossAndGradient(gradient, new float[2], new[] { 1f, 1f }, 2, 1, 1);
        Assert.Equal(new[] { 2f, 1.5f }, gradient);
    }
}
