using MlpTrainer.Model;
using MlpTrainer.Tests.Support;
using static MlpTrainer.Tests.SparseModels.InputMajorNetworks;

namespace MlpTrainer.Tests.SparseModels;

/// <summary>
/// Scoring a network whose first layer is stored input-major (one row of unit weights per feature, as sparse training
/// stores it): a dense row, the same row given by its non-zeros, and a batch of rows all give what the same network
/// stored unit-major gives; the sparse path never needs an input-wide buffer; and the weights still read unit-major.
/// </summary>
public sealed class InputMajorScoringTests
{
    private const int Width = 300;

    public static TheoryData<string, int[]> Shapes => new()
    {
        { nameof(MlpTask.Multiclass), new[] { Width, 16, 8, 3 } },
        { nameof(MlpTask.Binary), new[] { Width, 12, 1 } },
        { nameof(MlpTask.Regression), new[] { Width, 10, 1 } },
        { nameof(MlpTask.Multiclass), new[] { Width, 4 } }, // no hidden layer: the first layer is the output layer
    };

    private static float[][] Rows(int count, int width, int nonZeros, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => SparseRow(random, width, nonZeros)).ToArray();
    }

    private static MlpNetwork Network(MlpTask task, int[] sizes)
        => Create(sizes, task, MlpActivation.Tanh, seed: 7, outputScale: task == MlpTask.Regression ? 12.5f : 1f, outputOffset: task == MlpTask.Regression ? -3f : 0f);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DenseRowScoresLikeTheSameNetworkStoredUnitMajor(string taskName, int[] sizes)
    {
        MlpTask task = Enum.Parse<MlpTask>(taskName);
        MlpNetwork network = Network(task, sizes);
        MlpNetwork twin = UnitMajorTwin(network);

        foreach (float[] row in Rows(20, Width, nonZeros: 14, seed: 3))
            AssertClose(Predict(twin, row), Predict(network, row));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SparseRowScoresBitIdenticallyToTheSameRowGivenDense(string taskName, int[] sizes)
    {
        MlpTask task = Enum.Parse<MlpTask>(taskName);
        MlpNetwork network = Network(task, sizes);

        foreach (float[] row in Rows(20, Width, nonZeros: 14, seed: 4))
            AssertBitIdentical(Predict(network, row), PredictSparse(network, row));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void PredictBatchScoresLikeRowByRowPredict(string taskName, int[] sizes)
    {
        MlpTask task = Enum.Parse<MlpTask>(taskName);
        MlpNetwork network = Network(task, sizes);
        float[][] rows = Rows(40, Width, nonZeros: 30, seed: 5);
        int outputs = network.Layout.OutputSize;
        var batch = new float[rows.Length * outputs];

        network.PredictBatch(rows.SelectMany(r => r).ToArray(), batch, rows.Length, threads: 2);

        for (int r = 0; r < rows.Length; r++)
            AssertClose(Predict(network, rows[r]), batch.AsSpan(r * outputs, outputs).ToArray(), what: $"row {r}, output");
    }

    [Fact]
    public void PredictBatchOnAWideInputScoresRowsThatSpanSeveralBlocks()
    {
        // 20,000 features: a block holds 2^22 / 20,000 = 209 rows, so 500 rows take three blocks.
        MlpNetwork network = Create(new[] { 20_000, 8, 3 }, seed: 9);
        float[][] rows = Rows(500, 20_000, nonZeros: 12, seed: 6);
        var batch = new float[rows.Length * 3];

        network.PredictBatch(rows.SelectMany(r => r).ToArray(), batch, rows.Length, threads: 1);

        for (int r = 0; r < rows.Length; r += 7)
            AssertClose(PredictSparse(network, rows[r]), batch.AsSpan(r * 3, 3).ToArray(), what: $"row {r}, class");
    }

    [Fact]
    public void DenseRowWithEveryFeatureSetScoresLikeTheUnitMajorTwin()
    {
        MlpNetwork network = Create(new[] { 37, 9, 3 }, seed: 11); // 37: a tail after the whole vectors
        var random = new Random(12);
        float[] row = Enumerable.Range(0, 37).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

        AssertClose(Predict(UnitMajorTwin(network), row), Predict(network, row));
    }

    [Fact]
    public void AllZeroRowScoresTheBiasesAlone()
    {
        MlpNetwork network = Create(new[] { 50, 6, 3 }, seed: 13);
        var zeros = new float[50];

        AssertBitIdentical(Predict(network, zeros), PredictSparse(network, zeros));
        AssertClose(Predict(UnitMajorTwin(network), zeros), Predict(network, zeros));
    }

    [Fact]
    public void StoredZerosInASparseRowChangeNothing()
    {
        MlpNetwork network = Create(new[] { 40, 6, 3 }, seed: 14);
        float[] dense = SparseRow(new Random(15), 40, 5);
        (int[] indices, float[] values) = NonZeros(dense);
        int[] withZeros = indices.Append(39).Prepend(0).Distinct().Order().ToArray();
        float[] zerosToo = withZeros.Select(i => dense[i]).ToArray();
        var output = new float[3];

        network.Predict(withZeros, zerosToo, output, network.CreateScratch());

        AssertBitIdentical(Predict(network, dense), output);
    }

    [Fact]
    public void NaNFeatureGivesNaNScoresInsteadOfBeingSkipped()
    {
        MlpNetwork network = Create(new[] { 20, 4, 1 }, MlpTask.Regression, seed: 16);
        var row = new float[20];
        row[17] = float.NaN;

        Assert.True(float.IsNaN(Predict(network, row)[0]));
        Assert.True(float.IsNaN(PredictSparse(network, row)[0]));
    }

    [Fact]
    public void ScratchOfAWideInputMajorNetworkIsOnlyAsWideAsItsWidestLayerOfUnits()
    {
        MlpNetwork network = Create(new[] { 1 << 20, 4, 7 }, seed: 17);

        (float[] a, float[] b) = network.CreateScratch();

        Assert.Equal(7, a.Length);
        Assert.Equal(7, b.Length);
    }

    [Fact]
    public void SparseRowOfAVeryWideNetworkScoresWithoutAllocating()
    {
        const int HashedWidth = 1 << 21;
        MlpNetwork network = Create(new[] { HashedWidth, 8, 3 }, seed: 18);
        var random = new Random(19);
        int[] indices = Enumerable.Range(0, 14).Select(_ => random.Next(HashedWidth)).Distinct().Order().ToArray();
        float[] values = indices.Select(_ => 1f).ToArray();
        var output = new float[3];
        var scratch = network.CreateScratch();
        network.Predict(indices, values, output, scratch); // warm up

        long allocated = ThreadAllocations.Fewest(3, () =>
        {
            for (int i = 0; i < 100; i++)
                network.Predict(indices, values, output, scratch);
        });

        Assert.Equal(0, allocated);
        Assert.Equal(1f, output.Sum(), 5);
    }

    [Fact]
    public void WeightsOfTheInputMajorLayerReadUnitMajorAsATransposedCopy()
    {
        MlpNetwork network = Create(new[] { 5, 3, 2 }, seed: 20);
        MlpNetwork twin = UnitMajorTwin(network);

        Assert.Equal(twin.Weights(0).ToArray(), network.Weights(0).ToArray());
        Assert.Equal(network.Parameters.Slice(network.Layout.WeightOffset(0), 15).ToArray(), network.StoredWeights(0).ToArray());
        Assert.Equal(twin.Weights(1).ToArray(), network.Weights(1).ToArray());
        Assert.True(network.IsInputMajor(0));
        Assert.False(network.IsInputMajor(1));
        Assert.False(twin.IsInputMajor(0));
    }

    [Fact]
    public void UnitMajorNetworkScoresAVerySparseRowLikeTheDenseRow()
    {
        // 3 non-zeros in 300 features: read column by column.
        MlpNetwork network = UnitMajorTwin(Create(new[] { Width, 16, 3 }, seed: 21));

        foreach (float[] row in Rows(10, Width, nonZeros: 3, seed: 22))
            AssertClose(Predict(network, row), PredictSparse(network, row));
    }

    [Fact]
    public void UnitMajorNetworkScoresAFairlyDenseSparseRowBitIdenticallyToTheDenseRow()
    {
        // 100 non-zeros in 300 features: made dense in the scratch row and scored by the dense path.
        MlpNetwork network = UnitMajorTwin(Create(new[] { Width, 16, 3 }, seed: 23));

        foreach (float[] row in Rows(10, Width, nonZeros: 100, seed: 24))
            AssertBitIdentical(Predict(network, row), PredictSparse(network, row));
    }

    [Theory]
    [InlineData(new[] { 3, 300 }, "index 1 is 300")]
    [InlineData(new[] { -1 }, "index 0 is -1")]
    [InlineData(new[] { 5, 5 }, "index 1 is 5, after 5")]
    [InlineData(new[] { 9, 4 }, "index 1 is 4, after 9")]
    public void SparseIndicesOutOfRangeOrOutOfOrderAreRejected(int[] indices, string where)
    {
        MlpNetwork network = Create(new[] { Width, 4, 3 }, seed: 25);

        var error = Assert.Throws<ArgumentException>(() => network.Predict(indices, new float[indices.Length], new float[3], network.CreateScratch()));

        Assert.Equal("indices", error.ParamName);
        Assert.Contains("strictly increasing and within 0 to 299", error.Message);
        Assert.Contains(where, error.Message);
    }

    [Fact]
    public void SparseRowWithMoreIndicesThanValuesIsRejected()
    {
        MlpNetwork network = Create(new[] { Width, 4, 3 }, seed: 26);

        var error = Assert.Throws<ArgumentException>(() => network.Predict(new[] { 1, 2 }, new[] { 1f }, new float[3], network.CreateScratch()));

        Assert.Contains("2 indices and 1 values", error.Message);
    }

    [Fact]
    public void ScratchTooSmallForAUnitMajorNetworkToMakeARowDenseIsRejected()
    {
        MlpNetwork network = UnitMajorTwin(Create(new[] { Width, 4, 3 }, seed: 27));
        float[] row = SparseRow(new Random(28), Width, 200);
        (int[] indices, float[] values) = NonZeros(row);

        var error = Assert.Throws<ArgumentException>(() => network.Predict(indices, values, new float[3], (new float[4], new float[4])));

        Assert.Equal("scratch", error.ParamName);
        Assert.Contains("CreateScratch", error.Message);
    }
}
