using System.Diagnostics;
using MlpTrainer.Data;
using MlpTrainer.Losses;
using MlpTrainer.Model;
using MlpTrainer.Optimizers;
using MlpTrainer.Schedules;

namespace MlpTrainer.Training;

/// <summary>
/// Runs the epochs of one training: the minibatches of an <see cref="IMinibatchSource"/> (rows in memory or streamed) through <see cref="BackpropTrainer"/>, the optimizer and
/// the learning-rate schedule; after each epoch validation, the history, progress, early stopping and checkpoints.
/// Every random draw depends only on (seed, epoch), and the state that crosses epochs is what a checkpoint holds, so a
/// run resumed from a checkpoint ends with the same weights as one that was never interrupted.
/// </summary>
internal sealed class TrainingLoop
{
    private readonly MlpOptions _options;
    private readonly NetworkLayout _layout;
    private readonly int _seed;
    private readonly int _threads;
    private readonly OutputLoss _loss;

    /// <param name="options">The validated options of the run.</param>
    /// <param name="layout">The network's shape.</param>
    /// <param name="seed">The run's seed, from which every epoch's shuffle and dropout masks derive.</param>
    /// <param name="threads">Threads for the matrix products.</param>
    /// <param name="loss">The output layer's loss; softmax cross-entropy (multiclass) when null.</param>
    public TrainingLoop(MlpOptions options, NetworkLayout layout, int seed, int threads, OutputLoss? loss = null)
    {
        _options = options;
        _layout = layout;
        _seed = seed;
        _threads = threads;
        _loss = loss ?? new SoftmaxCrossEntropyLoss();
    }

    /// <summary>
    /// Below this many multiply-adds per minibatch (forward and backward), one thread trains faster than several: waking
    /// a worker for every matrix product costs more than its share of the work (a 150-row table trains ~1.5× faster).
    /// </summary>
    private const double ParallelWorkPerMinibatch = 1 << 21;

    /// <summary>
    /// The threads an automatic <see cref="MlpOptions.NumberOfThreads"/> uses: every core, or one for a network and
    /// minibatch too small to share. Weights do not depend on the choice.
    /// </summary>
    public static int AutomaticThreads(NetworkLayout layout, int batchSize, double meanNonZeros)
    {
        double perRow = layout.ParameterCount - (layout.InputMajorFirstLayer ? layout.WeightCount(0) - meanNonZeros * layout.OutputsOf(0) : 0);
        return 3 * perRow * batchSize < ParallelWorkPerMinibatch ? 1 : Environment.ProcessorCount;
    }

    public sealed record Result(float[] Parameters, IReadOnlyList<MlpEpochReport> History, bool StoppedEarly, int BestEpoch);

    /// <param name="data">Training and optional validation rows, in memory.</param>
    /// <param name="parameters">The starting weights; updated in place.</param>
    /// <param name="priorHistory">Epochs an initial model was already trained for (warm start); numbering continues after them.</param>
    /// <param name="fingerprint">Identifies this run in checkpoints.</param>
    /// <param name="resume">A checkpoint of this run to continue from, or null.</param>
    /// <param name="checkAlive">Runs before every minibatch; throws to stop training.</param>
    /// <param name="onEpoch">Receives each epoch's report.</param>
    public Result Run(TrainingData data, float[] parameters, IReadOnlyList<MlpEpochReport> priorHistory, ulong fingerprint,
        TrainingCheckpoint? resume, Action checkAlive, Action<MlpEpochReport> onEpoch)
    {
        var source = new InMemoryMinibatchSource(data.Train, data.TrainRows, _options.Shuffle, _seed,
            Math.Max(1, Math.Min(_options.BatchSize, data.TrainRows.Length)));
        return Run(source, data.HasValidation ? data.Validation : null, data.HasValidation ? data.ValidationRows : null,
            parameters, priorHistory, fingerprint, resume, checkAlive, onEpoch);
    }

    /// <param name="train">The training minibatches, in memory or streamed.</param>
    /// <param name="validation">Validation rows held in memory, or null.</param>
    /// <param name="validationRows">The rows of <paramref name="validation"/> to validate on.</param>
    /// <param name="parameters">The starting weights; updated in place.</param>
    /// <param name="priorHistory">Epochs an initial model was already trained for (warm start); numbering continues after them.</param>
    /// <param name="fingerprint">Identifies this run in checkpoints.</param>
    /// <param name="resume">A checkpoint of this run to continue from, or null.</param>
    /// <param name="checkAlive">Runs before every minibatch; throws to stop training.</param>
    /// <param name="onEpoch">Receives each epoch's report.</param>
    public Result Run(IMinibatchSource train, RowDataset? validation, int[]? validationRows, float[] parameters,
        IReadOnlyList<MlpEpochReport> priorHistory, ulong fingerprint, TrainingCheckpoint? resume, Action checkAlive, Action<MlpEpochReport> onEpoch)
    {
        MlpOptions o = _options;
        bool hasValidation = validation is not null && validationRows is { Length: > 0 };
        if (o.EarlyStoppingPatience > 0 && o.EarlyStoppingMetric == MlpEarlyStoppingMetric.Accuracy && !_loss.CountsCorrect)
            throw new ArgumentException("MlpOptions.EarlyStoppingMetric = Accuracy is for classification; a regression watches the loss.", nameof(train));
        if (o.EarlyStoppingPatience > 0 && o.EarlyStoppingMetric == MlpEarlyStoppingMetric.Accuracy && !hasValidation)
            throw new ArgumentException("MlpOptions.EarlyStoppingMetric = Accuracy needs validation data: call Fit(train, validation) or set ValidationFraction.", nameof(train));

        if (!(train.WeightSum > 0))
            throw new ArgumentException("Every training row has weight 0: at least one row needs a positive weight.", nameof(train));
        if (hasValidation && !(TrainingData.WeightSum(validation!, validationRows!) > 0))
            throw new ArgumentException("Every validation row has weight 0: at least one row needs a positive weight.", nameof(validation));
        int batch = train.BatchSize;
        int stepsPerEpoch = checked((int)((train.RowCount + batch - 1) / batch));
        Optimizer optimizer = Optimizer.Create(o, _layout);
        LearningRateSchedule schedule = LearningRateSchedule.Create(o, stepsPerEpoch, train.RowCount);
        var stopping = new EarlyStopping(o.EarlyStoppingPatience, o.EarlyStoppingTolerance, o.EarlyStoppingMetric == MlpEarlyStoppingMetric.Accuracy);
        bool keepBest = stopping.Enabled && o.RestoreBestWeights;
        var best = new BestWeights(_layout);
        var history = new List<MlpEpochReport>(priorHistory);
        int epochOffset = priorHistory.Count == 0 ? 0 : priorHistory[^1].Epoch;
        int firstEpoch = 0;
        bool stopped = false;

        if (resume is not null)
        {
            if (resume.Fingerprint != fingerprint)
                throw new InvalidOperationException(
                    $"The checkpoint in '{o.CheckpointDirectory}' comes from a different run (other data, options, seed or starting model); " +
                    "delete it or set ResumeFromCheckpoint = false to start afresh.");
            resume.Parameters.CopyTo(parameters, 0);
            optimizer.RestoreState(resume.OptimizerSteps, resume.OptimizerState);
            schedule.State = resume.ScheduleState;
            stopping.Restore(resume.BestValue, resume.BestEpoch, resume.EpochsWithoutImprovement);
            best.Resume(resume.BestParameters);
            history = new List<MlpEpochReport>(resume.History);
            firstEpoch = resume.EpochsCompleted;
            stopped = resume.Finished;
        }

        var divergence = new DivergenceWatch();
        using var trainer = new BackpropTrainer(_layout, o.Activation, o.LeakyReLUSlope, batch, _threads, o.DropoutRate, _loss);
        for (int epoch = firstEpoch; epoch < o.NumberOfEpochs && !stopped; epoch++)
        {
            long started = Stopwatch.GetTimestamp();
            train.BeginEpoch(epoch);
            Random? dropout = o.DropoutRate > 0 ? SeedSequence.Create(_seed, SeedSequence.Stream.Dropout, epoch) : null;
            double trainingLoss = 0, trainingWeight = 0;
            float rate = o.LearningRate;
            for (int step = 0; train.Next(trainer.Batch, out int rows, out double batchWeight); step++)
            {
                checkAlive();
                o.CancellationToken.ThrowIfCancellationRequested();
                if (batchWeight == 0)
                    continue; // every row of this minibatch has weight 0: nothing to learn, and no optimizer step
                trainingWeight += batchWeight;
                double loss = trainer.ComputeGradients(parameters, rows, dropout);
                rate = schedule.RateAt(epoch, step);
                if (!double.IsFinite(loss))
                    throw new InvalidOperationException(
                        $"Training diverged in epoch {epochOffset + epoch + 1}, minibatch {step + 1}: the loss is {loss}. " +
                        $"Lower MlpOptions.LearningRate (now {rate}) or normalize the features (e.g. NormalizeMinMax).");
                trainingLoss += loss;
                if (keepBest)
                    best.BeforeStep(parameters, trainer.FirstLayerRows);
                optimizer.Step(parameters, trainer.Gradients, rate, trainer.Engine, trainer.FirstLayerRows);
            }
            trainingLoss /= trainingWeight;

            double? validationLoss = null, validationAccuracy = null;
            if (hasValidation)
            {
                (double sum, double weight, long correct) = trainer.Evaluate(parameters, validation!, validationRows);
                validationLoss = sum / weight;
                validationAccuracy = _loss.CountsCorrect ? (double)correct / validationRows!.Length : null;
            }
            double monitoredLoss = validationLoss ?? trainingLoss;
            schedule.EndEpoch(epoch, monitoredLoss);

            var report = new MlpEpochReport(epochOffset + epoch + 1, trainingLoss, validationLoss, validationAccuracy, rate,
                Stopwatch.GetElapsedTime(started).TotalSeconds)
            {
                // A sparse first layer can be hundreds of millions of weights: the estimator checks it once, after the last epoch.
                Warning = divergence.Check(epochOffset + epoch + 1, trainingLoss,
                    parameters.AsSpan(_layout.InputMajorFirstLayer ? _layout.WeightCount(0) : 0), rate),
            };
            history.Add(report);
            onEpoch(report);

            if (stopping.Enabled)
            {
                double watched = o.EarlyStoppingMetric == MlpEarlyStoppingMetric.Accuracy ? validationAccuracy!.Value : monitoredLoss;
                if (stopping.Observe(report.Epoch, watched) && keepBest)
                    best.Take(parameters);
                stopped = stopping.ShouldStop;
            }

            int completed = epoch + 1;
            bool last = stopped || completed == o.NumberOfEpochs;
            if (o.CheckpointDirectory is not null && (completed % o.CheckpointEveryEpochs == 0 || last))
            {
                new TrainingCheckpoint
                {
                    Fingerprint = fingerprint, EpochsCompleted = completed, Finished = stopped, Parameters = parameters,
                    OptimizerSteps = optimizer.StepCount, OptimizerState = optimizer.StateArrays, ScheduleState = schedule.State,
                    BestValue = stopping.Best, BestEpoch = stopping.BestEpoch, EpochsWithoutImprovement = stopping.EpochsWithoutImprovement,
                    BestParameters = best.ToArray(parameters), History = history,
                }.Write(o.CheckpointDirectory);
            }
        }

        // The weights are the best epoch's already when the last epoch was the best.
        if (keepBest && best.HasBest && history.Count > 0 && stopping.BestEpoch != history[^1].Epoch)
            best.CopyTo(parameters);
        return new Result(parameters, history, stopped, stopping.BestEpoch);
    }
}
