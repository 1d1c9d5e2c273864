namespace MlpTrainer.Schedules;

/// <summary>
/// scikit-learn's <c>adaptive</c> rate: η stays while the monitored loss improves by more than the tolerance; after
/// <c>patience</c> epochs in a row without such an improvement it is multiplied by <c>factor</c> (not below the
/// minimum) and the count starts again.
/// </summary>
internal sealed class ReduceOnPlateauSchedule : LearningRateSchedule
{
    private readonly double _minimum, _factor, _tolerance;
    private readonly int _patience;
    private double _rate, _best = double.PositiveInfinity;
    private int _epochsWithoutImprovement;

    public ReduceOnPlateauSchedule(float rate, float minimum, float factor, int patience, double tolerance) : base(rate)
    {
        _rate = rate;
        _minimum = minimum;
        _factor = factor;
        _patience = patience;
        _tolerance = tolerance;
    }

    public override float RateAt(int epoch, int step) => (float)_rate;

    public override void EndEpoch(int epoch, double monitoredLoss)
    {
        if (monitoredLoss < _best - _tolerance)
        {
            _epochsWithoutImprovement = 0;
        }
        else if (++_epochsWithoutImprovement >= _patience)
        {
            _rate = Math.Max(_minimum, _rate * _factor);
            _epochsWithoutImprovement = 0;
        }
        _best = Math.Min(_best, monitoredLoss);
    }

    public override double[] State
    {
        get => new[] { _rate, _best, _epochsWithoutImprovement };
        set
        {
            if (value.Length != 3)
                throw new InvalidDataException($"A ReduceOnPlateau schedule has 3 state values; the checkpoint holds {value.Length}.");
            (_rate, _best, _epochsWithoutImprovement) = (value[0], value[1], (int)value[2]);
        }
    }
}
