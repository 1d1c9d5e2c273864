namespace MlpTrainer.Schedules;

/// <summary>
/// scikit-learn's <c>invscaling</c>: the rate is updated at the end of each epoch to η₀ / (t + 1)^power, t being the
/// training rows seen so far, so epoch e (from 0) runs at η₀ / (e·N + 1)^power for N rows per epoch.
/// </summary>
internal sealed class InverseScalingSchedule : LearningRateSchedule
{
    private readonly double _power;
    private readonly long _rowsPerEpoch;

    public InverseScalingSchedule(float rate, double power, long rowsPerEpoch) : base(rate)
    {
        _power = power;
        _rowsPerEpoch = rowsPerEpoch;
    }

    public override float RateAt(int epoch, int step) => (float)(InitialRate / Math.Pow((double)epoch * _rowsPerEpoch + 1, _power));
}
