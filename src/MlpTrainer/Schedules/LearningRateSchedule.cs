namespace MlpTrainer.Schedules;

/// <summary>
/// The learning rate for every minibatch step. Most schedules are a function of the epoch and the step; the
/// stateful one (<see cref="ReduceOnPlateauSchedule"/>) keeps its state in <see cref="State"/> so that a checkpoint
/// can carry it.
/// </summary>
internal abstract class LearningRateSchedule
{
    protected LearningRateSchedule(float initialRate) => InitialRate = initialRate;

    public float InitialRate { get; }

    /// <summary>The rate for step <paramref name="step"/> (from 0) of epoch <paramref name="epoch"/> (from 0).</summary>
    public abstract float RateAt(int epoch, int step);

    /// <summary>Told the monitored loss after each epoch (validation loss if any, else training loss).</summary>
    public virtual void EndEpoch(int epoch, double monitoredLoss)
    {
    }

    /// <summary>The schedule's state, empty for stateless schedules; written to and read from checkpoints.</summary>
    public virtual double[] State
    {
        get => Array.Empty<double>();
        set
        {
            if (value.Length != 0)
                throw new InvalidDataException($"A {GetType().Name} has no state, but the checkpoint holds {value.Length} values.");
        }
    }

    public static LearningRateSchedule Create(MlpOptions options, int stepsPerEpoch, long rowsPerEpoch) => options.LearningRateSchedule switch
    {
        MlpLearningRateSchedule.Constant => new ConstantSchedule(options.RunLearningRate),
        MlpLearningRateSchedule.InverseScaling => new InverseScalingSchedule(options.RunLearningRate, options.PowerT, rowsPerEpoch),
        MlpLearningRateSchedule.Step => new StepSchedule(options.RunLearningRate, options.StepEpochs, options.StepGamma),
        MlpLearningRateSchedule.Cosine => new CosineSchedule(options.RunLearningRate, options.MinimumLearningRate, options.WarmupEpochs, options.NumberOfEpochs, stepsPerEpoch),
        MlpLearningRateSchedule.ReduceOnPlateau => new ReduceOnPlateauSchedule(options.RunLearningRate, options.MinimumLearningRate, options.PlateauFactor, options.PlateauPatience, options.EarlyStoppingTolerance),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.LearningRateSchedule, "Unknown learning-rate schedule."),
    };
}
