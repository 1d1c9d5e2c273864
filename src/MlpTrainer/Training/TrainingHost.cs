namespace MlpTrainer.Training;

/// <summary>
/// What the program around a <see cref="TrainingRun"/> provides: where its log lines go, how it is stopped, the engine
/// that minimises a full-batch objective (ML.NET's L-BFGS, plugged in by <c>MlNet/</c>) and how workers combine their
/// gradients (<see cref="IWorkerReduction"/>). Nothing here is an ML.NET type, so the training core can be run, and
/// tested, without an ML.NET host.
/// </summary>
internal sealed class TrainingHost
{
    /// <summary>Receives each informational line (decisions, epochs).</summary>
    public Action<string> Info { get; init; } = _ => { };

    /// <summary>Receives each warning (ignored options, divergence).</summary>
    public Action<string> Warning { get; init; } = _ => { };

    /// <summary>Runs before every minibatch or chunk of rows; throws to stop training (ML.NET's <c>CheckAlive</c>).</summary>
    public Action CheckAlive { get; init; } = () => { };

    /// <summary>Minimises the full-batch objective for <see cref="MlpOptimizer.Lbfgs"/>; null when the host has none.</summary>
    public IFullBatchMinimizer? FullBatchMinimizer { get; init; }

    /// <summary>Combines the workers' gradients and metrics; one process by default.</summary>
    public IWorkerReduction Reduction { get; init; } = SingleProcessReduction.Instance;
}
