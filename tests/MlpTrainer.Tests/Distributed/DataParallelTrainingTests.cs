using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Tests.Learning;
using MlpTrainer.Tests.TrainingControl;
using MlpTrainer.Training;
using static MlpTrainer.Tests.TrainingControl.TrainingControlData;

namespace MlpTrainer.Tests.Distributed;

/// <summary>
/// Data-parallel training (<see cref="MlpOptions.Workers"/>) on a group of threads: the workers end with the same
/// weights, those of one process up to the order of the sums, and they agree on validation, early stopping, checkpoints
/// and errors.
/// </summary>
public sealed class DataParallelTrainingTests : IDisposable
{
    private static readonly Datasets.Set Data = Datasets.Blobs(150, seed: 121);
    private readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static MlpModelParameters Fit(MlpOptions options, Datasets.Set? data = null)
    {
        var ml = new MLContext(seed: 0);
        return new MlpEstimator(ml, options).Fit(View(ml, data ?? Data)).Model;
    }

    private static MlpOptions With(MlpOptions options, MlpWorkerGroup workers)
    {
        options.Workers = workers;
        return options;
    }

    private static float MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void EveryWorkerEndsWithBitIdenticalWeights(int workers)
    {
        float[][] weights = ThreadWorkerGroup.RunAll(workers, group => Parameters(Fit(With(Quick(epochs: 3), group))));

        foreach (float[] other in weights.Skip(1))
            Assert.True(BitIdentical(weights[0], other), "a worker's weights differ from worker 0's");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void WorkersReproduceOneProcessUpToTheOrderOfTheSums(int workers)
    {
        // 150 rows in minibatches of 16: 10 steps an epoch, 20 in all, the last minibatch of each epoch 6 rows.
        float[] alone = Parameters(Fit(Quick(epochs: 2)));

        float[] together = ThreadWorkerGroup.RunAll(workers, group => Parameters(Fit(With(Quick(epochs: 2), group))))[0];

        Assert.True(MaxDifference(alone, together) <= 1e-5f, $"largest difference {MaxDifference(alone, together)}");
    }

    [Fact]
    public void AWorkerWhoseShareOfAMinibatchIsEmptyStillTakesPartInTheStep()
    {
        // 145 rows in minibatches of 16: each epoch's last minibatch has one row, so workers 1 and 2 have none of it.
        Datasets.Set data = Datasets.Blobs(145, seed: 5);
        float[] alone = Parameters(Fit(Quick(epochs: 2), data));

        float[][] together = ThreadWorkerGroup.RunAll(3, group => Parameters(Fit(With(Quick(epochs: 2), group), data)));

        Assert.True(BitIdentical(together[0], together[2]));
        Assert.True(MaxDifference(alone, together[0]) <= 1e-5f, $"largest difference {MaxDifference(alone, together[0])}");
    }

    [Fact]
    public void StreamedRowsAreSharedAsRowsInMemoryAre()
    {
        MlpOptions Streamed()
        {
            MlpOptions options = Quick(epochs: 2);
            options.StreamingShuffleBufferRows = 64;
            return options;
        }
        float[] alone = Parameters(Fit(Streamed()));

        float[][] together = ThreadWorkerGroup.RunAll(2, group => Parameters(Fit(With(Streamed(), group))));

        Assert.True(BitIdentical(together[0], together[1]));
        Assert.True(MaxDifference(alone, together[0]) <= 1e-5f, $"largest difference {MaxDifference(alone, together[0])}");
    }

    /// <summary>
    /// Data's rows with a "Weight" column: fractional weights from <paramref name="weight"/> (by row), so that the order
    /// in which a minibatch's weights are summed shows in the bits.
    /// </summary>
    private static IDataView Weighted(MLContext ml, Func<int, float> weight)
    {
        var rows = Data.Features.Select((f, i) => new WeightedRow { Label = (uint)Data.Labels[i], Features = f, Weight = weight(i) }).ToList();
        SchemaDefinition schema = SchemaDefinition.Create(typeof(WeightedRow));
        schema[nameof(WeightedRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Data.Features[0].Length);
        IDataView raw = ml.Data.LoadFromEnumerable(rows, schema);
        return ml.Transforms.Conversion.MapValueToKey(nameof(WeightedRow.Label)).Fit(raw).Transform(raw);
    }

    private sealed class WeightedRow
    {
        public uint Label { get; set; }

        public float[] Features { get; set; } = Array.Empty<float>();

        public float Weight { get; set; }
    }

    private static float[] FitWeighted(MlpOptions options, Func<int, float> weight)
    {
        var ml = new MLContext(seed: 0);
        options.ExampleWeightColumnName = "Weight";
        return Parameters(new MlpEstimator(ml, options).Fit(Weighted(ml, weight)).Model);
    }

    /// <summary>Weights 0.1 to 2.9, fractional; the rows of the second minibatch of every epoch (unshuffled) weigh 0.</summary>
    private static float FractionalWeight(int row) => 0.1f + (row * 7 % 29) * 0.1f;

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void WorkersWithWeightedRowsReproduceOneProcess(int workers)
    {
        float[] alone = FitWeighted(Quick(epochs: 2), FractionalWeight);

        float[][] together = ThreadWorkerGroup.RunAll(workers, group => FitWeighted(With(Quick(epochs: 2), group), FractionalWeight));

        Assert.True(BitIdentical(together[0], together[workers - 1]));
        Assert.True(MaxDifference(alone, together[0]) <= 1e-5f, $"largest difference {MaxDifference(alone, together[0])}");
    }

    [Fact]
    public void WorkersWithClassWeightsReproduceOneProcess()
    {
        MlpOptions Options()
        {
            MlpOptions options = Quick(epochs: 2);
            options.UseBalancedClassWeights = true;
            return options;
        }
        // Unbalanced classes: class 0's rows weigh less, so the balanced weights differ from 1.
        float Weight(int row) => Data.Labels[row] == 0 ? 0.25f : 1f;
        float[] alone = FitWeighted(Options(), Weight);

        float[][] together = ThreadWorkerGroup.RunAll(2, group => FitWeighted(With(Options(), group), Weight));

        Assert.True(BitIdentical(together[0], together[1]));
        Assert.True(MaxDifference(alone, together[0]) <= 1e-5f, $"largest difference {MaxDifference(alone, together[0])}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AMinibatchOfWeightZeroIsSkippedByEveryWorker(bool streamed)
    {
        MlpOptions Options()
        {
            MlpOptions options = Quick(epochs: 2);
            options.Shuffle = false;
            if (streamed)
                options.StreamingShuffleBufferRows = 64;
            return options;
        }
        // Rows 16 to 31, the whole second minibatch of each epoch, weigh 0; one worker's rows weighing 0 in another
        // minibatch (rows 0 and 2) still take part.
        float Weight(int row) => row is >= 16 and < 32 || row is 0 or 2 ? 0f : FractionalWeight(row);
        float[] alone = FitWeighted(Options(), Weight);

        float[][] together = ThreadWorkerGroup.RunAll(2, group => FitWeighted(With(Options(), group), Weight));

        Assert.True(BitIdentical(together[0], together[1]));
        Assert.True(MaxDifference(alone, together[0]) <= 1e-5f, $"largest difference {MaxDifference(alone, together[0])}");
    }

    [Fact]
    public void WithDropoutTheWorkersStillEndWithTheSameWeights()
    {
        MlpOptions Dropped()
        {
            MlpOptions options = Quick(epochs: 2);
            options.DropoutRate = 0.3f;
            return options;
        }
        // Each worker draws the masks of its own rows from a generator of its own (seeded by the seed and its rank).
        float[][] together = ThreadWorkerGroup.RunAll(2, group => Parameters(Fit(With(Dropped(), group))));

        Assert.True(BitIdentical(together[0], together[1]));
    }

    [Fact]
    public void ValidationMetricsAndEarlyStoppingAreThoseOfEveryWorkersRowsTogether()
    {
        MlpOptions Options()
        {
            MlpOptions options = Quick(epochs: 40);
            options.ValidationFraction = 0.2f;
            options.EarlyStoppingPatience = 2;
            options.EarlyStoppingTolerance = 1e-3;
            return options;
        }
        MlpModelParameters alone = Fit(Options());

        MlpModelParameters[] together = ThreadWorkerGroup.RunAll(2, group => Fit(With(Options(), group)));

        Assert.Equal(alone.TrainingHistory.Count, together[0].TrainingHistory.Count);
        Assert.Equal(together[0].TrainingHistory.Count, together[1].TrainingHistory.Count);
        Assert.True(alone.TrainingHistory.Count < 40, "early stopping never stopped the run: the test shows nothing");
        for (int e = 0; e < alone.TrainingHistory.Count; e++)
        {
            Assert.Equal(together[0].TrainingHistory[e].ValidationLoss, together[1].TrainingHistory[e].ValidationLoss);
            Assert.Equal(alone.TrainingHistory[e].ValidationAccuracy!.Value, together[0].TrainingHistory[e].ValidationAccuracy!.Value, 6);
            Assert.Equal(alone.TrainingHistory[e].ValidationLoss!.Value, together[0].TrainingHistory[e].ValidationLoss!.Value, 4);
        }
    }

    [Fact]
    public void LbfgsWorkersMinimiseTheObjectiveOfEveryWorkersRows()
    {
        MlpOptions Options()
        {
            MlpOptions options = Quick(epochs: 5);
            options.Optimizer = MlpOptimizer.Lbfgs;
            options.LearningRate = new MlpOptions().LearningRate;
            return options;
        }
        float[] alone = Parameters(Fit(Options()));

        float[][] together = ThreadWorkerGroup.RunAll(2, group => Parameters(Fit(With(Options(), group))));

        Assert.True(BitIdentical(together[0], together[1]));
        Assert.True(MaxDifference(alone, together[0]) <= 1e-4f, $"largest difference {MaxDifference(alone, together[0])}");
    }

    [Fact]
    public void OnlyWorkerZeroWritesCheckpoints()
    {
        string[] directories = { _scratch.Sub("worker0"), _scratch.Sub("worker1") };

        ThreadWorkerGroup.RunAll(2, group =>
        {
            MlpOptions options = With(Quick(epochs: 2), group);
            options.CheckpointDirectory = directories[group.Rank];
            return Fit(options);
        });

        Assert.NotNull(TrainingCheckpoint.TryRead(directories[0]));
        Assert.Null(TrainingCheckpoint.TryRead(directories[1]));
    }

    [Fact]
    public void WorkersStoppedAfterACheckpointResumeToTheWeightsOfAnUninterruptedRun()
    {
        string directory = _scratch.Sub("shared");
        float[] uninterrupted = ThreadWorkerGroup.RunAll(2, group => Parameters(Fit(With(Quick(epochs: 4), group))))[0];

        (MlpModelParameters? Result, Exception? Error)[] stopped = ThreadWorkerGroup.Run(2, group =>
        {
            var cancel = new CancellationTokenSource();
            MlpOptions options = With(Quick(epochs: 4), group);
            options.CheckpointDirectory = directory;
            options.CancellationToken = cancel.Token;
            options.Progress = new RecordingProgress(report => { if (report.Epoch == 2) cancel.Cancel(); });
            return Fit(options);
        });
        float[][] resumed = ThreadWorkerGroup.RunAll(2, group =>
        {
            MlpOptions options = With(Quick(epochs: 4), group);
            options.CheckpointDirectory = directory;
            options.ResumeFromCheckpoint = true;
            return Parameters(Fit(options));
        });

        Assert.All(stopped, outcome => Assert.IsAssignableFrom<OperationCanceledException>(outcome.Error));
        Assert.True(BitIdentical(uninterrupted, resumed[0]));
        Assert.True(BitIdentical(uninterrupted, resumed[1]));
    }

    [Fact]
    public void AWorkerWithOtherOptionsFailsEveryWorkerAtTheStartNamingTheOption()
    {
        (MlpModelParameters? Result, Exception? Error)[] outcomes = ThreadWorkerGroup.Run(2, group =>
        {
            MlpOptions options = With(Quick(), group);
            if (group.Rank == 1)
                options.HiddenLayerSizes = new[] { 9 };
            return Fit(options);
        });

        InvalidOperationException differing = Assert.IsType<InvalidOperationException>(outcomes[1].Error);
        Assert.Contains("MlpOptions.HiddenLayerSizes is 8 on worker 0 and 9 here", differing.Message);
        InvalidOperationException root = Assert.IsType<InvalidOperationException>(outcomes[0].Error);
        Assert.Contains("1 of the 2 workers differ from worker 0", root.Message);
    }

    [Fact]
    public void AWorkerWithOtherRowsFailsAtTheStartNamingTheRowCount()
    {
        (MlpModelParameters? Result, Exception? Error)[] outcomes = ThreadWorkerGroup.Run(2, group =>
            Fit(With(Quick(), group), group.Rank == 1 ? Datasets.Blobs(149, seed: 121) : Data));

        InvalidOperationException differing = Assert.IsType<InvalidOperationException>(outcomes[1].Error);
        Assert.Contains("training rows is 150 on worker 0 and 149 here", differing.Message);
        Assert.IsType<InvalidOperationException>(outcomes[0].Error);
    }

    [Fact]
    public void ASparseFirstLayerIsRefusedNamingTheDenseAlternative()
    {
        (MlpModelParameters? Result, Exception? Error)[] outcomes = ThreadWorkerGroup.Run(2, group =>
        {
            MlpOptions options = With(Quick(), group);
            options.SparseFeatures = true;
            return Fit(options);
        });

        Assert.All(outcomes, outcome => Assert.Contains("SparseFeatures = false", Assert.IsType<NotSupportedException>(outcome.Error).Message));
    }

    [Fact]
    public void AGroupWhoseRankIsNotBelowItsSizeIsRefused()
    {
        var options = Quick();
        options.Workers = new FixedGroup(rank: 2, size: 2);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Fit(options));
        Assert.Contains("MlpOptions.Workers", error.Message);
    }

    [Fact]
    public void AGroupOfOneTrainsAsOneProcessBitForBit()
    {
        float[] alone = Parameters(Fit(Quick(epochs: 2)));

        float[] single = Parameters(Fit(With(Quick(epochs: 2), ThreadWorkerGroup.Create(1)[0])));

        Assert.True(BitIdentical(alone, single));
    }

    /// <summary>A group with a given rank and size whose collectives must never be reached.</summary>
    private sealed class FixedGroup(int rank, int size) : MlpWorkerGroup
    {
        public override int Rank => rank;
        public override int Size => size;
        public override void AllReduceSum(Span<float> values) => throw new InvalidOperationException("not reached");
        public override void AllReduceSum(Span<double> values) => throw new InvalidOperationException("not reached");
        public override void Broadcast(Span<byte> bytes, int root) => throw new InvalidOperationException("not reached");
    }
}
