using MlpTrainer.Data;
using MlpTrainer.Training;

namespace MlpTrainer.Tests.Distributed;

/// <summary>
/// A worker's share of minibatches held in memory is gathered straight from the rows: exactly what reading the whole
/// minibatch and keeping the worker's positions gives (the path streamed rows take), standardisation included.
/// </summary>
public sealed class WorkerShareSourceTests
{
    /// <summary>Passes another source's minibatches on without telling what it is: the share then goes through staging.</summary>
    private sealed class Opaque(IMinibatchSource inner) : IMinibatchSource
    {
        public long RowCount => inner.RowCount;
        public double WeightSum => inner.WeightSum;
        public int BatchSize => inner.BatchSize;
        public void BeginEpoch(int epoch) => inner.BeginEpoch(epoch);
        public bool Next(Minibatch batch, out int rows, out double weightSum) => inner.Next(batch, out rows, out weightSum);
    }

    /// <summary>Rows of weight 1, 2 or 3, or with <paramref name="fractional"/> weights between 0 and 3 whose sum depends on its order.</summary>
    private static DenseDataset Rows(int count, int features, bool fractional = false)
    {
        var random = new Random(3);
        var data = new DenseDataset(features, 3);
        for (int i = 0; i < count; i++)
            data.Add(Enumerable.Range(0, features).Select(_ => (float)(random.NextDouble() * 10 - 5)).ToArray(), i % 3,
                fractional ? (float)(random.NextDouble() * 3) : random.Next(1, 4));
        return data;
    }

    private static List<(float[] Features, float[] Targets, float[] Weights, double WeightSum)> Epoch(IMinibatchSource source, int rank, int size, int features)
    {
        var share = new WorkerShareSource(source, rank, size, features);
        var batch = new Minibatch(source.BatchSize, features, sparse: false)
        {
            Standardization = new FeatureStandardization(Enumerable.Repeat(0.5f, features).ToArray(), Enumerable.Repeat(0.25f, features).ToArray()),
        };
        var result = new List<(float[], float[], float[], double)>();
        share.BeginEpoch(1);
        while (share.Next(batch, out int rows, out double weightSum))
            result.Add((batch.Dense.AsSpan(0, rows * features).ToArray(), batch.Targets.AsSpan(0, rows).ToArray(), batch.Weights.AsSpan(0, rows).ToArray(), weightSum));
        return result;
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    [InlineData(2, 3)]
    public void AnInMemoryShareEqualsTheShareOfTheWholeMinibatch(int rank, int size)
    {
        DenseDataset data = Rows(101, 7);
        var direct = new InMemoryMinibatchSource(data, TrainingData.AllRows(data), shuffle: true, seed: 4, batchSize: 16);
        var staged = new Opaque(new InMemoryMinibatchSource(data, TrainingData.AllRows(data), shuffle: true, seed: 4, batchSize: 16));

        var expected = Epoch(staged, rank, size, 7);
        var actual = Epoch(direct, rank, size, 7);

        Assert.Equal(7, actual.Count); // 101 rows in minibatches of 16, the last of 5
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Features, actual[i].Features);
            Assert.Equal(expected[i].Targets, actual[i].Targets);
            Assert.Equal(expected[i].Weights, actual[i].Weights);
            Assert.Equal(expected[i].WeightSum, actual[i].WeightSum);
        }
    }

    [Fact]
    public void AWorkerPastTheLastMinibatchsRowsGetsAnEmptyShareButStillAStep()
    {
        DenseDataset data = Rows(17, 3);   // the second minibatch has one row
        var source = new InMemoryMinibatchSource(data, TrainingData.AllRows(data), shuffle: false, seed: 0, batchSize: 16);

        var shares = Epoch(source, rank: 1, size: 2, features: 3);

        Assert.Equal(2, shares.Count);
        Assert.Equal(8, shares[0].Targets.Length);
        Assert.Empty(shares[1].Targets);
        Assert.Equal(0, shares[1].WeightSum);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryWorkerKnowsTheWholeMinibatchsWeight(bool staged)
    {
        DenseDataset data = Rows(101, 7, fractional: true);
        IMinibatchSource Source()
        {
            var inMemory = new InMemoryMinibatchSource(data, TrainingData.AllRows(data), shuffle: true, seed: 4, batchSize: 16);
            return staged ? new Opaque(inMemory) : inMemory;
        }
        IMinibatchSource whole = Source();
        var shares = Enumerable.Range(0, 3).Select(rank => new WorkerShareSource(Source(), rank, 3, 7)).ToArray();
        var batch = new Minibatch(16, 7, sparse: false);
        whole.BeginEpoch(2);
        foreach (WorkerShareSource share in shares)
            share.BeginEpoch(2);

        int steps = 0;
        while (whole.Next(batch, out _, out double minibatchWeight))
        {
            double sharesWeight = 0;
            foreach (WorkerShareSource share in shares)
            {
                Assert.True(share.Next(batch, out _, out double shareWeight));
                Assert.Equal(minibatchWeight, share.MinibatchWeightSum); // the same bits on every worker
                sharesWeight += shareWeight;
            }
            Assert.Equal(minibatchWeight, sharesWeight, 1e-9);
            steps++;
        }
        Assert.Equal(7, steps);
    }

    [Fact]
    public void ASolverThatCombinesWorkersRefusesMinibatchesThatAreNotAWorkersShare()
    {
        DenseDataset data = Rows(40, 4);
        var whole = new InMemoryMinibatchSource(data, TrainingData.AllRows(data), shuffle: true, seed: 4, batchSize: 16);
        MlpOptions options = new() { HiddenLayerSizes = new[] { 5 }, BatchSize = 16 };
        var layout = new MlpTrainer.Model.NetworkLayout(new[] { 4, 5, 3 });
        var reduction = new WorkerGroupReduction(ThreadWorkerGroup.Create(2)[0]);

        var error = Assert.Throws<ArgumentException>(() =>
            new MinibatchSolver(options, layout, whole, seed: 1, threads: 1, new MlpTrainer.Losses.SoftmaxCrossEntropyLoss(), reduction, standardization: null));

        Assert.Contains("WorkerShareSource", error.Message);
    }
}
