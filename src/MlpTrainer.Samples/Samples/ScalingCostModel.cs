namespace MlpTrainer.Samples.Samples;

/// <summary>
/// Predicts the epoch time of synchronous data-parallel training on M machines from one machine's measured step time:
/// each step every machine computes its ceil(B/M) rows (a fixed cost per step — the optimizer's update, which every
/// machine repeats — plus a cost per row) and then all-reduces the gradient with a ring all-reduce, which sends and
/// receives 2(M−1)/M of the gradient's bytes per machine in 2(M−1) messages: time = 2(M−1)/M · bytes / bandwidth +
/// 2(M−1) · latency. Nothing overlaps (the trainer reduces after the backward pass), and the per-row cost is taken as
/// constant, which flatters small shares (a matrix product of a few rows runs below the speed of one of 128).
/// </summary>
/// <param name="FixedStepSeconds">The per-step cost that does not shrink with the share of rows (one machine, measured).</param>
/// <param name="RowSeconds">The forward and backward cost of one row (one machine, measured).</param>
/// <param name="Parameters">The gradient's length, in floats.</param>
/// <param name="BatchSize">The global minibatch.</param>
/// <param name="Rows">Training rows per epoch.</param>
/// <param name="LatencySeconds">One message's latency on the network.</param>
public sealed record ScalingCostModel(double FixedStepSeconds, double RowSeconds, long Parameters, int BatchSize, long Rows, double LatencySeconds = 20e-6)
{
    /// <summary>Minibatch steps in an epoch.</summary>
    public long StepsPerEpoch => (Rows + BatchSize - 1) / BatchSize;

    /// <summary>The gradient's size in bytes (single precision).</summary>
    public double GradientBytes => 4.0 * Parameters;

    /// <summary>One step's computation on one of <paramref name="machines"/> machines.</summary>
    public double ComputeSeconds(int machines) => FixedStepSeconds + RowSeconds * Math.Ceiling((double)BatchSize / machines);

    /// <summary>One step's ring all-reduce of the gradient among <paramref name="machines"/> at <paramref name="gigabitsPerSecond"/>.</summary>
    public double AllReduceSeconds(int machines, double gigabitsPerSecond)
    {
        if (machines == 1)
            return 0;
        double bytesPerSecond = gigabitsPerSecond * 1e9 / 8;
        return 2.0 * (machines - 1) / machines * GradientBytes / bytesPerSecond + 2.0 * (machines - 1) * LatencySeconds;
    }

    /// <summary>An epoch's predicted time on <paramref name="machines"/> machines.</summary>
    public double EpochSeconds(int machines, double gigabitsPerSecond)
        => StepsPerEpoch * (ComputeSeconds(machines) + AllReduceSeconds(machines, gigabitsPerSecond));

    /// <summary>One machine's epoch time over <paramref name="machines"/>' epoch time.</summary>
    public double SpeedUp(int machines, double gigabitsPerSecond) => EpochSeconds(1, gigabitsPerSecond) / EpochSeconds(machines, gigabitsPerSecond);

    /// <summary>
    /// Where scaling stops paying: the fewest machines among <paramref name="candidates"/> beyond which doubling again
    /// gains less than 10% (or the epoch gets slower).
    /// </summary>
    public int StopsPaying(double gigabitsPerSecond, IReadOnlyList<int> candidates)
    {
        for (int i = 0; i + 1 < candidates.Count; i++)
            if (EpochSeconds(candidates[i + 1], gigabitsPerSecond) > 0.9 * EpochSeconds(candidates[i], gigabitsPerSecond))
                return candidates[i];
        return candidates[^1];
    }
}
