using MlpTrainer.Data;
using MlpTrainer.Losses;
using MlpTrainer.Model;

namespace MlpTrainer.Training;

/// <summary>
/// <see cref="MlpOptimizer.Lbfgs"/>: minimises the <see cref="FullBatchObjective"/> with the host's
/// <see cref="IFullBatchMinimizer"/> (ML.NET's L-BFGS, the one behind its <c>Lbfgs*</c> trainers: two-loop recursion over
/// the last <see cref="FullBatchObjective.HistorySize"/> pairs, Wolfe line search, restart on a failed search). Each
/// accepted iterate is one epoch of the history. It stops, as scikit-learn's <c>lbfgs</c> solver does, after
/// <see cref="MlpOptions.NumberOfEpochs"/> iterations, when the gradient's largest component is at most
/// <see cref="MlpOptions.EarlyStoppingTolerance"/> (SciPy's <c>gtol</c>, which scikit-learn sets to its <c>tol</c>), or
/// when the line search can make no more progress; with validation data, early stopping also watches the validation
/// metric. (Patience on the training loss is for minibatch optimizers, whose loss is noisy; L-BFGS's full-batch loss
/// decreases at every iteration, often slowly before it speeds up.) The line search's arithmetic is sequential and the
/// objective does not depend on the thread count, so the result is deterministic.
/// </summary>
internal sealed class LbfgsSolver : ISolver
{
    private readonly MlpOptions _options;
    private readonly IFullBatchMinimizer _minimizer;
    private readonly BackpropTrainer _trainer;
    private readonly FullBatchObjective _objective;

    /// <param name="options">The validated options of the run.</param>
    /// <param name="layout">The network's shape.</param>
    /// <param name="train">The training rows, read whole at every evaluation.</param>
    /// <param name="threads">Threads for the matrix products.</param>
    /// <param name="loss">The output layer's loss.</param>
    /// <param name="minimizer">The host's L-BFGS.</param>
    /// <param name="reduction">Combines the objective's gradient across workers.</param>
    /// <param name="checkAlive">Runs before every chunk of rows; throws to stop.</param>
    /// <param name="standardization">The network's feature standardisation, or null.</param>
    public LbfgsSolver(MlpOptions options, NetworkLayout layout, IMinibatchSource train, int threads, OutputLoss loss,
        IFullBatchMinimizer minimizer, IWorkerReduction reduction, Action checkAlive, FeatureStandardization? standardization)
    {
        _options = options;
        _minimizer = minimizer;
        _trainer = new BackpropTrainer(layout, options.Activation, options.LeakyReLUSlope, train.BatchSize, threads, 0f, loss, standardization);
        _objective = new FullBatchObjective(_trainer, train, layout, options.L2Regularization, checkAlive, reduction);
    }

    public BackpropTrainer Evaluator => _trainer;

    public bool WatchesTrainingLoss => false;

    public (long Steps, IReadOnlyList<float[]> OptimizerState, double[] ScheduleState) CheckpointState
        => throw new NotSupportedException("L-BFGS does not checkpoint; MlpOptions.Validate refuses a CheckpointDirectory with it.");

    public void Restore(TrainingCheckpoint checkpoint)
        => throw new NotSupportedException("L-BFGS does not checkpoint; MlpOptions.Validate refuses a CheckpointDirectory with it.");

    public void ObserveEpoch(int epoch, double monitoredLoss)
    {
    }

    public bool Train(float[] parameters, int firstEpoch, EpochEnd epochs)
    {
        var point = new float[parameters.Length];
        FullBatchFunction function = (ReadOnlySpan<float> x, Span<float> gradient) =>
        {
            x.CopyTo(point);
            return _objective.Evaluate(point, gradient);
        };
        int epoch = firstEpoch;
        epochs.BeginEpoch();
        bool gradientSmall = false;
        bool lineSearchStalled = _minimizer.Minimize(parameters, FullBatchObjective.HistorySize, function, (x, gradient) =>
        {
            epochs.BeforeStep(parameters, null); // the whole vector changes: a sparse first layer's best rows are kept first
            x.Span.CopyTo(parameters);
            bool stopped = epochs.Close(epoch, parameters, _objective.LastDataLoss, 1.0, 0f, this);
            epoch++;
            gradientSmall = Kernels.RowKernel.LargestMagnitude(gradient.Span) <= _options.EarlyStoppingTolerance;
            return stopped || gradientSmall || epoch >= _options.NumberOfEpochs;
        });
        return gradientSmall || lineSearchStalled;
    }

    public void Dispose() => _trainer.Dispose();
}
