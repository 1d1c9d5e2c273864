using MlpTrainer.Data;
using MlpTrainer.Losses;
using MlpTrainer.Model;
using MlpTrainer.Optimizers;
using MlpTrainer.Schedules;

namespace MlpTrainer.Training;

/// <summary>
/// The minibatch optimizers (SGD, Adam, AdamW, RMSProp): each epoch runs the minibatches of an
/// <see cref="IMinibatchSource"/> (rows in memory or streamed) through <see cref="BackpropTrainer"/>, passes each
/// step's gradient through the run's <see cref="IWorkerReduction"/>, and takes one optimizer step at the learning-rate
/// schedule's rate. Every random draw depends only on (seed, epoch), and the state that crosses epochs is what a
/// checkpoint holds, so a run resumed from a checkpoint ends with the same weights as one that was never interrupted.
/// </summary>
internal sealed class MinibatchSolver : ISolver
{
    private readonly MlpOptions _options;
    private readonly IMinibatchSource _train;
    private readonly WorkerShareSource? _share;
    private readonly int _dropoutSeed;
    private readonly IWorkerReduction _reduction;
    private readonly BackpropTrainer _trainer;
    private readonly Optimizer _optimizer;
    private readonly LearningRateSchedule _schedule;

    /// <param name="options">The validated options of the run.</param>
    /// <param name="layout">The network's shape.</param>
    /// <param name="train">The training minibatches.</param>
    /// <param name="seed">The run's seed, from which every epoch's dropout masks derive (the source shuffles with it too).</param>
    /// <param name="threads">Threads for the matrix products.</param>
    /// <param name="loss">The output layer's loss.</param>
    /// <param name="reduction">Combines each step's gradient across workers.</param>
    /// <param name="standardization">The network's feature standardisation, or null.</param>
    /// <param name="worker">This worker's rank in a data-parallel run (0 in one process): each worker draws its own dropout masks.</param>
    public MinibatchSolver(MlpOptions options, NetworkLayout layout, IMinibatchSource train, int seed, int threads, OutputLoss loss, IWorkerReduction reduction,
        FeatureStandardization? standardization, int worker = 0)
    {
        _options = options;
        _train = train;
        _share = train as WorkerShareSource;
        if (reduction is WorkerGroupReduction && _share is null)
            throw new ArgumentException("A data-parallel run's minibatches must come through a WorkerShareSource: each worker scales its gradient by the " +
                "whole minibatch's weight, which only the share source knows (without it each would divide by its own rows' weight).", nameof(train));
        _dropoutSeed = worker == 0 ? seed : SeedSequence.Derive(seed, SeedSequence.Stream.Dropout, -worker);
        _reduction = reduction;
        int batch = train.BatchSize;
        int stepsPerEpoch = checked((int)((train.RowCount + batch - 1) / batch));
        _optimizer = Optimizer.Create(options, layout);
        _schedule = LearningRateSchedule.Create(options, stepsPerEpoch, train.RowCount);
        _trainer = new BackpropTrainer(layout, options.Activation, options.LeakyReLUSlope, batch, threads, options.DropoutRate, loss, standardization);
    }

    public BackpropTrainer Evaluator => _trainer;

    public bool WatchesTrainingLoss => true;

    public (long Steps, IReadOnlyList<float[]> OptimizerState, double[] ScheduleState) CheckpointState
        => (_optimizer.StepCount, _optimizer.StateArrays, _schedule.State);

    public void Restore(TrainingCheckpoint checkpoint)
    {
        _optimizer.RestoreState(checkpoint.OptimizerSteps, checkpoint.OptimizerState);
        _schedule.State = checkpoint.ScheduleState;
    }

    public void ObserveEpoch(int epoch, double monitoredLoss) => _schedule.EndEpoch(epoch, monitoredLoss);

    public bool Train(float[] parameters, int firstEpoch, EpochEnd epochs)
    {
        MlpOptions o = _options;
        BackpropTrainer trainer = _trainer;
        for (int epoch = firstEpoch; epoch < o.NumberOfEpochs; epoch++)
        {
            epochs.BeginEpoch();
            _train.BeginEpoch(epoch);
            Random? dropout = o.DropoutRate > 0 ? SeedSequence.Create(_dropoutSeed, SeedSequence.Stream.Dropout, epoch) : null;
            double trainingLoss = 0, trainingWeight = 0;
            float rate = o.RunLearningRate;
            for (int step = 0; _train.Next(trainer.Batch, out int rows, out double rowsWeight); step++)
            {
                epochs.CheckAlive();
                // A worker's rows are a share of the minibatch, whose weight every worker knows.
                double batchWeight = _share?.MinibatchWeightSum ?? rowsWeight;
                if (batchWeight == 0)
                    continue; // every row of this minibatch (on every worker) has weight 0: nothing to learn, and no optimizer step
                double loss = 0;
                if (rowsWeight > 0)
                    loss = trainer.ComputeGradients(parameters, rows, dropout, _share is null ? null : batchWeight);
                else
                    trainer.Gradients.AsSpan().Clear(); // a worker whose share is empty or weighs 0 still takes part in the step, adding nothing
                _reduction.CombineMinibatchGradient(trainer.Gradients, trainer.FirstLayerRows, ref loss);
                trainingWeight += batchWeight;
                rate = _schedule.RateAt(epoch, step);
                if (!double.IsFinite(loss))
                    throw new InvalidOperationException(
                        $"Training diverged in epoch {epochs.Number(epoch)}, minibatch {step + 1}: the loss is {loss}. " +
                        $"Lower MlpOptions.LearningRate (now {rate}) or normalize the features (e.g. NormalizeMinMax).");
                trainingLoss += loss;
                epochs.BeforeStep(parameters, trainer.FirstLayerRows);
                _optimizer.Step(parameters, trainer.Gradients, rate, trainer.Engine, trainer.FirstLayerRows);
            }
            if (epochs.Close(epoch, parameters, trainingLoss, trainingWeight, rate, this))
                break;
        }
        return false;
    }

    public void Dispose() => _trainer.Dispose();
}
