namespace MlpTrainer.Schedules;

/// <summary>η = η₀ for every step.</summary>
internal sealed class ConstantSchedule : LearningRateSchedule
{
    public ConstantSchedule(float rate) : base(rate)
    {
    }

    public override float RateAt(int epoch, int step) => InitialRate;
}
