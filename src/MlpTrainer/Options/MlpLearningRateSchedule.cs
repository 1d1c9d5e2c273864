namespace MlpTrainer;

/// <summary>How the learning rate η changes during training, starting from <see cref="MlpOptions.LearningRate"/> η₀.</summary>
public enum MlpLearningRateSchedule
{
    /// <summary>η = η₀ throughout. The default.</summary>
    Constant = 0,

    /// <summary>
    /// scikit-learn's <c>invscaling</c>: after each epoch η = η₀ / (t + 1)^<see cref="MlpOptions.PowerT"/>, where t is the number
    /// of training rows seen so far.
    /// </summary>
    InverseScaling = 1,

    /// <summary>η = η₀ · <see cref="MlpOptions.StepGamma"/>^⌊e / <see cref="MlpOptions.StepEpochs"/>⌋ in epoch e (from 0).</summary>
    Step = 2,

    /// <summary>
    /// Linear warm-up over the first <see cref="MlpOptions.WarmupEpochs"/> epochs (W minibatch steps: step s runs at η₀·(s+1)/W),
    /// then cosine annealing per step down to <see cref="MlpOptions.MinimumLearningRate"/> at the end of the last epoch.
    /// </summary>
    Cosine = 3,

    /// <summary>
    /// scikit-learn's <c>adaptive</c>: η stays while the monitored loss improves; after <see cref="MlpOptions.PlateauPatience"/>
    /// epochs in a row without an improvement of more than <see cref="MlpOptions.EarlyStoppingTolerance"/>, η is multiplied by
    /// <see cref="MlpOptions.PlateauFactor"/> (never below <see cref="MlpOptions.MinimumLearningRate"/>). The monitored loss is the
    /// validation loss when there is validation data, else the training loss.
    /// </summary>
    ReduceOnPlateau = 4,
}
