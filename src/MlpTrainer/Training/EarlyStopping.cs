namespace MlpTrainer.Training;

/// <summary>
/// Watches one metric per epoch and says when it has not improved by more than the tolerance for
/// <c>patience</c> epochs in a row. Lower is better for a loss, higher for an accuracy.
/// </summary>
internal sealed class EarlyStopping
{
    private readonly int _patience;
    private readonly double _tolerance;
    private readonly bool _higherIsBetter;

    public EarlyStopping(int patience, double tolerance, bool higherIsBetter)
    {
        _patience = patience;
        _tolerance = tolerance;
        _higherIsBetter = higherIsBetter;
        Best = higherIsBetter ? double.NegativeInfinity : double.PositiveInfinity;
    }

    /// <summary>False when patience is 0: training runs all its epochs.</summary>
    public bool Enabled => _patience > 0;

    public double Best { get; private set; }

    /// <summary>The epoch (from 1) of the best value so far; 0 before any.</summary>
    public int BestEpoch { get; private set; }

    public int EpochsWithoutImprovement { get; private set; }

    public bool ShouldStop => Enabled && EpochsWithoutImprovement >= _patience;

    /// <summary>Records epoch <paramref name="epoch"/>'s value; returns true when it is an improvement (the new best).</summary>
    public bool Observe(int epoch, double value)
    {
        bool improved = _higherIsBetter ? value > Best + _tolerance : value < Best - _tolerance;
        if (improved || BestEpoch == 0)
        {
            Best = value;
            BestEpoch = epoch;
            EpochsWithoutImprovement = 0;
            return true;
        }
        EpochsWithoutImprovement++;
        return false;
    }

    /// <summary>Puts back the state a checkpoint saved.</summary>
    public void Restore(double best, int bestEpoch, int epochsWithoutImprovement)
    {
        Best = best;
        BestEpoch = bestEpoch;
        EpochsWithoutImprovement = epochsWithoutImprovement;
    }
}
