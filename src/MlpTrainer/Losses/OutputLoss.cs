using MlpTrainer.Model;

namespace MlpTrainer.Losses;

/// <summary>
/// The loss on the output layer's raw values z (logits, or the prediction for regression) and its gradient.
/// A minibatch's loss is the weighted mean Σ wᵣ·ℓᵣ / Σ wᵣ of the rows' losses (every wᵣ = 1 without weights), so a
/// row of weight 2 counts as that row twice.
/// </summary>
internal abstract class OutputLoss
{
    /// <summary>Whether <see cref="Evaluate"/> counts correct predictions (classification) or not (regression).</summary>
    public abstract bool CountsCorrect { get; }

    /// <summary>
    /// Replaces the raw outputs of <paramref name="rows"/> rows (row-major, <paramref name="width"/> wide) by
    /// ∂(Σ wᵣℓᵣ / <paramref name="weightSum"/>)/∂z, and returns Σ wᵣℓᵣ (in double).
    /// </summary>
    public abstract double LossAndGradient(Span<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int rows, int width, double weightSum);

    /// <summary>Σ wᵣℓᵣ over the rows (outputs may be overwritten), and in <paramref name="correct"/> how many rows are predicted right.</summary>
    public abstract double Evaluate(Span<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int rows, int width, out long correct);

    public static OutputLoss For(MlpTask task, MlpRegressionLoss regressionLoss, float huberDelta) => task switch
    {
        MlpTask.Multiclass => new SoftmaxCrossEntropyLoss(),
        MlpTask.Binary => new SigmoidCrossEntropyLoss(),
        MlpTask.Regression when regressionLoss == MlpRegressionLoss.Huber => new HuberLoss(huberDelta),
        MlpTask.Regression => new SquaredErrorLoss(),
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task."),
    };

    protected static void CheckSizes(int outputs, int targets, int weights, int rows, int width)
    {
        if (outputs < rows * width)
            throw new ArgumentException($"{rows} rows of {width} outputs need {rows * width} values; got {outputs}.");
        if (targets < rows || weights < rows)
            throw new ArgumentException($"{rows} rows need {rows} targets and weights; got {targets} and {weights}.");
    }
}
