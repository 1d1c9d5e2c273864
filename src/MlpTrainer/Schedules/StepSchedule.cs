namespace MlpTrainer.Schedules;

/// <summary>η = η₀ · γ^⌊e / k⌋ in epoch e (from 0): the rate drops by γ every k epochs.</summary>
internal sealed class StepSchedule : LearningRateSchedule
{
    private readonly int _stepEpochs;
    private readonly double _gamma;

    public StepSchedule(float rate, int stepEpochs, double gamma) : base(rate)
    {
        _stepEpochs = stepEpochs;
        _gamma = gamma;
    }

    public override float RateAt(int epoch, int step) => (float)(InitialRate * Math.Pow(_gamma, epoch / _stepEpochs));
}
