namespace MlpTrainer.Training;

/// <summary>Why a <see cref="TrainingRun"/> ended.</summary>
internal enum TrainingStop
{
    /// <summary>It ran <see cref="MlpOptions.NumberOfEpochs"/> epochs (or iterations).</summary>
    EpochLimit,

    /// <summary>Early stopping saw no improvement for <see cref="MlpOptions.EarlyStoppingPatience"/> epochs.</summary>
    EarlyStopping,

    /// <summary>The solver's own rule: L-BFGS's gradient is within the tolerance, or its line search can make no more progress.</summary>
    Converged,
}
