using System.Diagnostics;
using MlpTrainer.Data;
using MlpTrainer.Layers;
using MlpTrainer.Losses;
using MlpTrainer.Model;

namespace MlpTrainer.Training;

/// <summary>
/// The end of every epoch, the same for every solver: the validation metrics (combined across workers by the
/// <see cref="IWorkerReduction"/>), the epoch's report in the history and to the host, the divergence watch, early
/// stopping and the best weights, and checkpoints. It also owns the run's cancellation check, which solvers call before
/// every minibatch or chunk of rows.
/// </summary>
internal sealed class EpochEnd
{
    private readonly MlpOptions _options;
    private readonly NetworkLayout _layout;
    private readonly OutputLoss _loss;
    private readonly IWorkerReduction _reduction;
    private readonly RowDataset? _validation;
    private readonly int[]? _validationRows;
    private readonly Action _checkAlive;
    private readonly Action<MlpEpochReport, string?> _onEpoch;
    private readonly ulong _fingerprint;
    private readonly bool _accuracyWatched;
    private readonly DivergenceWatch _divergence = new();
    private readonly BestWeights _best;
    private readonly int _epochOffset;
    private List<MlpEpochReport> _history;
    private string? _dataWarning;         // the data's warnings, for the first epoch this run adds
    private long _started = Stopwatch.GetTimestamp();

    /// <param name="options">The validated options of the run.</param>
    /// <param name="layout">The network's shape.</param>
    /// <param name="loss">The output layer's loss, which says whether rows can be counted right.</param>
    /// <param name="reduction">Combines the validation sums across workers.</param>
    /// <param name="validation">Validation rows held in memory, or null.</param>
    /// <param name="validationRows">The rows of <paramref name="validation"/> to validate on.</param>
    /// <param name="watchTrainingLoss">Whether early stopping watches the training loss when there is no validation data.</param>
    /// <param name="priorHistory">Epochs an initial model was already trained for; numbering continues after them.</param>
    /// <param name="fingerprint">Identifies this run in checkpoints.</param>
    /// <param name="checkAlive">The run's stop check (the host's and the cancellation token's), run before every minibatch.</param>
    /// <param name="onEpoch">Receives each epoch's report, and the warning to tell with it (the report's own, less what was told before).</param>
    /// <param name="dataWarnings">Warnings about the data (rows left out), kept on the first epoch this run adds.</param>
    public EpochEnd(MlpOptions options, NetworkLayout layout, OutputLoss loss, IWorkerReduction reduction, RowDataset? validation,
        int[]? validationRows, bool watchTrainingLoss, IReadOnlyList<MlpEpochReport> priorHistory, ulong fingerprint, Action checkAlive,
        Action<MlpEpochReport, string?> onEpoch, IReadOnlyList<string>? dataWarnings = null)
    {
        _dataWarning = dataWarnings is { Count: > 0 } ? string.Join(" ", dataWarnings) : null;
        _options = options;
        _layout = layout;
        _loss = loss;
        _reduction = reduction;
        HasValidation = validation is not null && validationRows is { Length: > 0 };
        _validation = HasValidation ? validation : null;
        _validationRows = HasValidation ? validationRows : null;
        _checkAlive = checkAlive;
        _onEpoch = onEpoch;
        _fingerprint = fingerprint;
        _accuracyWatched = options.EarlyStoppingMetric == MlpEarlyStoppingMetric.Accuracy;
        Stopping = new EarlyStopping(HasValidation || watchTrainingLoss ? options.RunEarlyStoppingPatience : 0, options.EarlyStoppingTolerance, _accuracyWatched);
        KeepsBest = Stopping.Enabled && options.RestoreBestWeights;
        _best = new BestWeights(layout);
        _history = new List<MlpEpochReport>(priorHistory);
        _epochOffset = priorHistory.Count == 0 ? 0 : priorHistory[^1].Epoch;
    }

    /// <summary>
    /// Whether this worker writes the checkpoints: in a data-parallel run only worker 0 does (every worker holds the same
    /// state). Default true.
    /// </summary>
    public bool WritesCheckpoints { get; init; } = true;

    /// <summary>Whether there are validation rows to report on.</summary>
    public bool HasValidation { get; }

    /// <summary>Early stopping's state: its best epoch and whether it has stopped the run.</summary>
    public EarlyStopping Stopping { get; }

    /// <summary>Whether the best epoch's weights are kept, to be restored at the end.</summary>
    public bool KeepsBest { get; }

    /// <summary>Every epoch so far, the initial model's included.</summary>
    public IReadOnlyList<MlpEpochReport> History => _history;

    /// <summary>The number (from 1, after an initial model's epochs) of this run's epoch <paramref name="epoch"/> (from 0).</summary>
    public int Number(int epoch) => _epochOffset + epoch + 1;

    /// <summary>Throws when the run is to stop (the host or <see cref="MlpOptions.CancellationToken"/>); solvers call it before every minibatch.</summary>
    public void CheckAlive() => _checkAlive();

    /// <summary>Starts timing an epoch (the previous epoch's end starts the next one's clock otherwise).</summary>
    public void BeginEpoch() => _started = Stopwatch.GetTimestamp();

    /// <summary>
    /// Call before every change of <paramref name="parameters"/> while the best weights are kept: the rows of a sparse
    /// first layer that <paramref name="firstLayerRows"/> is about to change (all of them when null) are saved first.
    /// </summary>
    public void BeforeStep(float[] parameters, SparseRowGradient? firstLayerRows)
    {
        if (KeepsBest)
            _best.BeforeStep(parameters, firstLayerRows);
    }

    /// <summary>Puts back a checkpoint's early stopping, best weights and history.</summary>
    public void Resume(TrainingCheckpoint checkpoint)
    {
        Stopping.Restore(checkpoint.BestValue, checkpoint.BestEpoch, checkpoint.EpochsWithoutImprovement);
        _best.Resume(checkpoint.BestParameters);
        _history = new List<MlpEpochReport>(checkpoint.History);
        _dataWarning = null; // told on the run's first epoch, before the checkpoint
    }

    /// <summary>
    /// Ends epoch <paramref name="epoch"/> (from 0) of <paramref name="solver"/>: <paramref name="trainingLoss"/> and
    /// <paramref name="trainingWeight"/> are the weighted loss and weight sums of its rows (already combined across
    /// workers), <paramref name="learningRate"/> the rate of its last step. Returns true when early stopping ends the run.
    /// </summary>
    public bool Close(int epoch, float[] parameters, double trainingLoss, double trainingWeight, float learningRate, ISolver solver)
    {
        double meanTrainingLoss = trainingLoss / trainingWeight;
        double? validationLoss = null, validationAccuracy = null;
        if (HasValidation)
        {
            (double sum, double weight, long correct) = solver.Evaluator.Evaluate(parameters, _validation!, _validationRows);
            // Loss, weight, rows right, rows: the sums every worker adds its share to.
            Span<double> sums = stackalloc double[] { sum, weight, correct, _validationRows!.Length };
            _reduction.CombineMetrics(sums);
            validationLoss = sums[0] / sums[1];
            validationAccuracy = _loss.CountsCorrect ? sums[2] / sums[3] : null;
        }
        double monitoredLoss = validationLoss ?? meanTrainingLoss;
        solver.ObserveEpoch(epoch, monitoredLoss);

        int number = Number(epoch);
        // A sparse first layer can be hundreds of millions of weights: TrainingRun checks it once, after the last epoch.
        string? divergence = _divergence.Check(number, meanTrainingLoss, parameters.AsSpan(_layout.InputMajorFirstLayer ? _layout.WeightCount(0) : 0), learningRate);
        var report = new MlpEpochReport(number, meanTrainingLoss, validationLoss, validationAccuracy, learningRate,
            Stopwatch.GetElapsedTime(_started).TotalSeconds)
        {
            // The data's warnings were told when it was read; the epoch's own (divergence) is told with the report.
            Warning = _dataWarning is null ? divergence : divergence is null ? _dataWarning : $"{_dataWarning} {divergence}",
        };
        _dataWarning = null;
        _history.Add(report);
        _onEpoch(report, divergence);

        bool stopped = false;
        if (Stopping.Enabled)
        {
            double watched = _accuracyWatched ? validationAccuracy!.Value : monitoredLoss;
            if (Stopping.Observe(number, watched) && KeepsBest)
                _best.Take(parameters);
            stopped = Stopping.ShouldStop;
        }

        int completed = epoch + 1;
        bool last = stopped || completed == _options.NumberOfEpochs;
        if (WritesCheckpoints && _options.CheckpointDirectory is not null && (completed % _options.CheckpointEveryEpochs == 0 || last))
        {
            (long steps, IReadOnlyList<float[]> state, double[] schedule) = solver.CheckpointState;
            new TrainingCheckpoint
            {
                Fingerprint = _fingerprint, EpochsCompleted = completed, Finished = stopped, Parameters = parameters,
                OptimizerSteps = steps, OptimizerState = state, ScheduleState = schedule,
                BestValue = Stopping.Best, BestEpoch = Stopping.BestEpoch, EpochsWithoutImprovement = Stopping.EpochsWithoutImprovement,
                BestParameters = _best.ToArray(parameters), History = _history,
            }.Write(_options.CheckpointDirectory);
        }
        _started = Stopwatch.GetTimestamp();
        return stopped;
    }

    /// <summary>At the end of the run: puts the best epoch's weights into <paramref name="parameters"/> when they are kept and another epoch was the last.</summary>
    public void RestoreBest(float[] parameters)
    {
        if (KeepsBest && _best.HasBest && _history.Count > 0 && Stopping.BestEpoch != _history[^1].Epoch)
            _best.CopyTo(parameters);
    }
}
