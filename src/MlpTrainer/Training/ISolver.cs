namespace MlpTrainer.Training;

/// <summary>
/// How the weights move over the epochs: minibatch optimizers (<see cref="MinibatchSolver"/>) or full-batch L-BFGS
/// (<see cref="LbfgsSolver"/>). A solver runs its epochs and hands each one to the run's <see cref="EpochEnd"/>, which
/// validates, reports, watches divergence, stops early, keeps the best weights and writes checkpoints the same way for
/// every solver; a solver decides only its steps and its own stopping rule.
/// </summary>
internal interface ISolver : IDisposable
{
    /// <summary>Computes validation losses with the network as it scores (no dropout).</summary>
    BackpropTrainer Evaluator { get; }

    /// <summary>Whether early stopping may watch the training loss when there is no validation data (a noisy minibatch loss may; L-BFGS's steadily falling one is left to its own tolerance).</summary>
    bool WatchesTrainingLoss { get; }

    /// <summary>
    /// Trains <paramref name="parameters"/> in place from epoch <paramref name="firstEpoch"/> (from 0) until
    /// <see cref="MlpOptions.NumberOfEpochs"/>, until <paramref name="epochs"/> says to stop, or until the solver's own rule
    /// stops it; returns true when the solver's own rule stopped it (converged).
    /// </summary>
    bool Train(float[] parameters, int firstEpoch, EpochEnd epochs);

    /// <summary>Called by <see cref="EpochEnd"/> once an epoch's monitored loss (validation, else training) is known, before any checkpoint.</summary>
    void ObserveEpoch(int epoch, double monitoredLoss);

    /// <summary>The solver's state for a checkpoint: optimizer steps and arrays, and the schedule's state.</summary>
    (long Steps, IReadOnlyList<float[]> OptimizerState, double[] ScheduleState) CheckpointState { get; }

    /// <summary>Continues from a checkpoint's optimizer and schedule state.</summary>
    void Restore(TrainingCheckpoint checkpoint);
}
