namespace MlpTrainer.Schedules;

/// <summary>
/// Per minibatch step s of T in all: during the W warm-up steps η = η₀·(s + 1)/W, then cosine annealing
/// η = η_min + ½(η₀ − η_min)(1 + cos(π·(s − W)/(T − W))), which falls from η₀ towards η_min at the last step.
/// </summary>
internal sealed class CosineSchedule : LearningRateSchedule
{
    private readonly double _minimum;
    private readonly long _warmupSteps, _totalSteps;
    private readonly int _stepsPerEpoch;

    public CosineSchedule(float rate, float minimum, int warmupEpochs, int epochs, int stepsPerEpoch) : base(rate)
    {
        _minimum = minimum;
        _stepsPerEpoch = stepsPerEpoch;
        _warmupSteps = (long)warmupEpochs * stepsPerEpoch;
        _totalSteps = (long)epochs * stepsPerEpoch;
    }

    public override float RateAt(int epoch, int step)
    {
        long s = (long)epoch * _stepsPerEpoch + step;
        if (s < _warmupSteps)
            return (float)(InitialRate * (s + 1.0) / _warmupSteps);
        double progress = Math.Min(1.0, (double)(s - _warmupSteps) / Math.Max(1, _totalSteps - _warmupSteps));
        return (float)(_minimum + 0.5 * (InitialRate - _minimum) * (1 + Math.Cos(Math.PI * progress)));
    }
}
