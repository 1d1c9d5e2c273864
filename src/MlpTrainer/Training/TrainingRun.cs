using System.Globalization;
using MlpTrainer.Data;
using MlpTrainer.Losses;
using MlpTrainer.Model;

namespace MlpTrainer.Training;

/// <summary>
/// One training run, from prepared data to a trained network: the single entry point of the training core, with no
/// ML.NET type in it. It starts the weights (fresh from the seed, or from an initial model to continue), resumes from
/// a checkpoint, runs the chosen <see cref="ISolver"/> with one <see cref="EpochEnd"/> for every solver, restores the
/// best epoch, checks the result, and returns the network with its history. <c>MlNet/</c> calls it once per <c>Fit</c>.
/// </summary>
internal sealed class TrainingRun
{
    /// <summary>
    /// Below this many multiply-adds per minibatch (forward and backward), one thread trains faster than several: waking
    /// a worker for every matrix product costs more than its share of the work (a 150-row table trains ~1.5× faster).
    /// </summary>
    private const double ParallelWorkPerMinibatch = 1 << 21;

    private readonly MlpTask _task;
    private readonly TrainingHost _host;
    private readonly MlpWorkerGroup? _workers;
    private readonly IWorkerReduction _reduction;

    /// <summary>The options as given until <see cref="Run"/>; from then on the run's own (<see cref="PreparedTraining.Options"/>).</summary>
    private MlpOptions _options;

    /// <param name="task">The task, which decides the output layer and its loss.</param>
    /// <param name="options">The options of the run; validated here.</param>
    /// <param name="host">Where log lines go, how the run is stopped, the L-BFGS engine and the workers' reduction.</param>
    public TrainingRun(MlpTask task, MlpOptions options, TrainingHost host)
    {
        options.Validate(task);
        _task = task;
        _options = options;
        _host = host;
        _workers = options.Workers;
        _reduction = _workers is null ? host.Reduction : new WorkerGroupReduction(_workers);
    }

    /// <summary>
    /// The threads an automatic <see cref="MlpOptions.NumberOfThreads"/> uses: every core, or one for a network and
    /// minibatch too small to share. Weights do not depend on the choice.
    /// </summary>
    public static int AutomaticThreads(NetworkLayout layout, int batchSize, double meanNonZeros)
    {
        double perRow = layout.ParameterCount - (layout.InputMajorFirstLayer ? layout.WeightCount(0) - meanNonZeros * layout.OutputsOf(0) : 0);
        return 3 * perRow * batchSize < ParallelWorkPerMinibatch ? 1 : Environment.ProcessorCount;
    }

    /// <summary>Trains on <paramref name="prepared"/>, from <paramref name="initial"/>'s weights when given (warm start).</summary>
    public TrainingOutcome Run(PreparedTraining prepared, InitialModel? initial = null)
    {
        // The user's options with the values the data chose for those left null.
        MlpOptions options = _options = prepared.Options;
        foreach (string ignored in options.IgnoredOptions(_task))
            _host.Warning(ignored);
        NetworkLayout layout = prepared.Layout;
        int seed = prepared.Seed;
        int threads = options.NumberOfThreads ?? AutomaticThreads(layout, prepared.Train.BatchSize, prepared.Density.MeanNonZeros);

        float[] parameters = StartingParameters(prepared, initial, threads);
        IReadOnlyList<MlpEpochReport> priorHistory = initial?.History ?? Array.Empty<MlpEpochReport>();

        // Hashing every row and weight only matters to checkpoints, and to workers checking that they train the same run.
        ulong fingerprint = options.CheckpointDirectory is null && _workers is null ? 0 : prepared.Fingerprint(parameters);
        TrainingCheckpoint? resume = options.ResumeFromCheckpoint ? TrainingCheckpoint.TryRead(options.CheckpointDirectory!) : null;
        if (_workers is not null)
            AgreeWithWorkers(_workers, prepared, seed, fingerprint, resume);
        if (resume is not null)
            _host.Info($"Resuming from the checkpoint in '{options.CheckpointDirectory}' after epoch {resume.EpochsCompleted}.");

        _host.Info($"Training a {Describe(layout)} {_task} MLP ({layout.ParameterCount} parameters) on {prepared.TrainRows} rows{(prepared.Streamed ? " (streamed)" : "")}: {options.Optimizer}, " +
                   $"learning rate {options.LearningRate} ({options.LearningRateSchedule}), batch {options.BatchSize}, {options.NumberOfEpochs} epochs, seed {seed}, {threads} threads.");
        OutputLoss loss = OutputLoss.For(_task, options.RegressionLoss, options.HuberDelta);
        CheckTrainable(prepared, loss);

        // A worker of a data-parallel run trains and validates on its share of every minibatch and of the validation rows.
        IMinibatchSource train = _workers is null ? prepared.Train : new WorkerShareSource(prepared.Train, _workers.Rank, _workers.Size, layout.InputSize);
        int[]? validationRows = _workers is null || prepared.ValidationRows is null
            ? prepared.ValidationRows
            : WorkerShareSource.ShareOf(prepared.ValidationRows, _workers.Rank, _workers.Size);
        using ISolver solver = CreateSolver(prepared, train, threads, loss);
        var epochs = new EpochEnd(options, layout, loss, _reduction, prepared.Validation, validationRows, solver.WatchesTrainingLoss,
            priorHistory, fingerprint, CheckAlive, Report, prepared.DataWarnings)
        {
            WritesCheckpoints = _workers is null || _workers.Rank == 0,
        };
        int firstEpoch = 0;
        bool finished = false;
        if (resume is not null)
        {
            if (resume.Fingerprint != fingerprint)
                throw new InvalidOperationException(
                    $"The checkpoint in '{options.CheckpointDirectory}' comes from a different run (other data, options, seed or starting model); " +
                    "delete it or set ResumeFromCheckpoint = false to start afresh.");
            resume.Parameters.CopyTo(parameters, 0);
            solver.Restore(resume);
            epochs.Resume(resume);
            firstEpoch = resume.EpochsCompleted;
            finished = resume.Finished;
        }

        // Both cores train from here: kernels not compiled ahead yet are compiled on first use.
        Kernels.KernelWarmUp.Stop();
        bool converged = !finished && solver.Train(parameters, firstEpoch, epochs);
        epochs.RestoreBest(parameters);
        IReadOnlyList<MlpEpochReport> history = epochs.History;
        TrainingStop stop = converged ? TrainingStop.Converged : epochs.Stopping.ShouldStop ? TrainingStop.EarlyStopping : TrainingStop.EpochLimit;
        if (stop == TrainingStop.Converged)
            _host.Info($"L-BFGS converged after iteration {history[^1].Epoch}: the gradient is within EarlyStoppingTolerance, or the line search can make no more progress.");
        else if (stop == TrainingStop.EarlyStopping)
            _host.Info($"Stopped early after epoch {history[^1].Epoch}: no improvement for {options.EarlyStoppingPatience} epochs; " +
                       (epochs.KeepsBest ? $"keeping the weights of epoch {epochs.Stopping.BestEpoch}." : "keeping the last weights."));
        CheckFinalWeights(parameters, history);
        // Trained on standardised features: the saved network takes the features as given.
        prepared.Standardization?.Fold(layout, parameters);

        var network = new MlpNetwork(layout, options.Activation, options.LeakyReLUSlope, parameters, _task, prepared.OutputScale, prepared.OutputOffset);
        int epochsTrained = history.Count == 0 ? 0 : history[^1].Epoch;
        return new TrainingOutcome(network, history, epochsTrained, stop, epochs.Stopping.BestEpoch);
    }

    /// <summary>The weights to start from: a copy of the initial model's, which must have this run's shape, or fresh ones from the seed.</summary>
    private float[] StartingParameters(PreparedTraining prepared, InitialModel? initial, int threads)
    {
        NetworkLayout layout = prepared.Layout;
        if (initial is null)
            return WeightInitializer.Initialize(layout, _options.Activation, SeedSequence.Create(prepared.Seed, SeedSequence.Stream.Initialization),
                prepared.Density.MeanNonZeros, threads);
        MlpNetwork network = initial.Network;
        if (!network.Layout.SameShapeAs(layout) || network.HiddenActivation != _options.Activation)
            throw new InvalidOperationException($"The initial model is a {Describe(network.Layout)} {network.HiddenActivation} network; these options and data make a {Describe(layout)} {_options.Activation} network. " +
                                                "Use the same HiddenLayerSizes, Activation, SparseFeatures, features and classes to continue training.");
        if (network.OutputScale != prepared.OutputScale || network.OutputOffset != prepared.OutputOffset)
            throw new InvalidOperationException("The initial model was trained with another label scaling (NormalizeLabel on other data); continue it with the same setting and data.");
        _host.Info($"Continuing from a model trained for {initial.EpochsTrained} epochs (the optimizer starts afresh).");
        float[] parameters = network.Parameters.ToArray();
        // Its weights take the features as given; this run trains on them standardised.
        prepared.Standardization?.Unfold(layout, parameters);
        return parameters;
    }

    /// <summary>What no solver can train on: an accuracy to watch without classes or validation rows, or rows that all weigh 0.</summary>
    private void CheckTrainable(PreparedTraining prepared, OutputLoss loss)
    {
        MlpOptions o = _options;
        bool hasValidation = prepared.Validation is not null && prepared.ValidationRows is { Length: > 0 };
        if (o.EarlyStoppingPatience > 0 && o.EarlyStoppingMetric == MlpEarlyStoppingMetric.Accuracy && !loss.CountsCorrect)
            throw new ArgumentException("MlpOptions.EarlyStoppingMetric = Accuracy is for classification; a regression watches the loss.", nameof(prepared));
        if (o.EarlyStoppingPatience > 0 && o.EarlyStoppingMetric == MlpEarlyStoppingMetric.Accuracy && !hasValidation)
            throw new ArgumentException("MlpOptions.EarlyStoppingMetric = Accuracy needs validation data: call Fit(train, validation) or set ValidationFraction.", nameof(prepared));
        if (!(prepared.Train.WeightSum > 0))
            throw new ArgumentException("Every training row has weight 0: at least one row needs a positive weight.", nameof(prepared));
        if (hasValidation && !(TrainingData.WeightSum(prepared.Validation!, prepared.ValidationRows!) > 0))
            throw new ArgumentException("Every validation row has weight 0: at least one row needs a positive weight.", nameof(prepared));
    }

    private ISolver CreateSolver(PreparedTraining prepared, IMinibatchSource train, int threads, OutputLoss loss)
    {
        if (_options.Optimizer != MlpOptimizer.Lbfgs)
            return new MinibatchSolver(_options, prepared.Layout, train, prepared.Seed, threads, loss, _reduction, prepared.Standardization,
                _workers?.Rank ?? 0);
        IFullBatchMinimizer minimizer = _host.FullBatchMinimizer
            ?? throw new InvalidOperationException("MlpOptimizer.Lbfgs needs a full-batch minimizer from the host (ML.NET's L-BFGS), and none was given.");
        return new LbfgsSolver(_options, prepared.Layout, train, threads, loss, minimizer, _reduction, CheckAlive,
            prepared.Standardization);
    }

    /// <summary>
    /// What a data-parallel run needs before its first collective step: a dense first layer, enough validation rows for
    /// every worker, and every worker training the same run (<see cref="WorkerAgreement"/>), else an error on every worker.
    /// </summary>
    private void AgreeWithWorkers(MlpWorkerGroup workers, PreparedTraining prepared, int seed, ulong fingerprint, TrainingCheckpoint? resume)
    {
        NetworkLayout layout = prepared.Layout;
        if (layout.InputMajorFirstLayer)
            throw new NotSupportedException(
                $"MlpOptions.Workers: the features ({layout.InputSize} slots) are trained by a sparse first layer, which is not trained across workers " +
                "(only the weight rows a minibatch touches would have to be exchanged). Set MlpOptions.SparseFeatures = false to train a dense first layer across workers, or train in one process.");
        if (prepared.ValidationRows is { Length: > 0 } validation && validation.Length < workers.Size)
            throw new ArgumentException(
                $"MlpOptions.Workers: {validation.Length} validation rows cannot be shared among {workers.Size} workers; give at least one row per worker (a larger ValidationFraction or validation set).");
        var items = new List<(string Name, string Value)>
        {
            ("workers", workers.Size.ToString(CultureInfo.InvariantCulture)),
            ("task", _task.ToString()),
            ("network", $"{layout} ({layout.ParameterCount} parameters)"),
            ("training rows", prepared.TrainRows.ToString(CultureInfo.InvariantCulture)),
            ("training weight", prepared.Train.WeightSum.ToString("R", CultureInfo.InvariantCulture)),
            ("validation rows", (prepared.ValidationRows?.Length ?? 0).ToString(CultureInfo.InvariantCulture)),
            ("seed", seed.ToString(CultureInfo.InvariantCulture)),
        };
        items.AddRange(RunFingerprint.OptionValues(_options).Select(p => ("MlpOptions." + p.Name, p.Value)));
        items.Add(("hash of the rows, options and starting weights", fingerprint.ToString("x16", CultureInfo.InvariantCulture)));
        items.Add(("checkpoint resumed", resume is null ? "none" : $"after epoch {resume.EpochsCompleted}"));
        WorkerAgreement.Check(workers, items);
    }

    /// <summary>The run's stop check, before every minibatch or chunk of rows: the host's, then <see cref="MlpOptions.CancellationToken"/>.</summary>
    private void CheckAlive()
    {
        _host.CheckAlive();
        _options.CancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Each epoch's line in the log, its new warning, and the user's progress callback.</summary>
    private void Report(MlpEpochReport report, string? warning)
    {
        string validationText = report.ValidationLoss is double vl
            ? $", validation loss {vl:F6}" + (report.ValidationAccuracy is double va ? $", accuracy {va:F4}" : "")
            : "";
        _host.Info($"Epoch {report.Epoch}: training loss {report.TrainingLoss:F6}{validationText}, learning rate {report.LearningRate:G4}, {report.Seconds:F2} s.");
        if (warning is not null)
            _host.Warning(warning);
        _options.Progress?.Report(report);
    }

    /// <summary>One pass over the weights: not finite is an error; blown up is a warning, unless an epoch already gave one.</summary>
    private void CheckFinalWeights(float[] parameters, IReadOnlyList<MlpEpochReport> history)
    {
        float largest = Kernels.RowKernel.LargestMagnitude(parameters);
        if (!float.IsFinite(largest))
            throw new InvalidOperationException($"Training diverged: the weights are not finite after the last update. Lower MlpOptions.LearningRate (now {_options.LearningRate}).");
        if (Math.Abs(largest) > DivergenceWatch.WeightLimit && history.All(h => h.Warning is null))
            _host.Warning($"Training diverged: a weight has reached {Math.Abs(largest):G4} (above {DivergenceWatch.WeightLimit:G}); the model is unlikely to be useful. " +
                          $"Lower MlpOptions.LearningRate (now {_options.LearningRate:G4}) or normalize the features (e.g. NormalizeMeanVariance).");
    }

    private static string Describe(NetworkLayout layout) => layout.InputMajorFirstLayer ? $"{layout} (sparse first layer)" : layout.ToString();
}
