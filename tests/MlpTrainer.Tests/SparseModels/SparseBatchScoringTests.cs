using MlpTrainer.Model;
using MlpTrainer.Tests.Support;
using static MlpTrainer.Tests.SparseModels.InputMajorNetworks;

namespace MlpTrainer.Tests.SparseModels;

/// <summary>
/// <c>PredictBatch</c> over rows in compressed sparse row form: the scores of the row-by-row sparse <c>Predict</c>, for
/// input-major and unit-major first layers alike, no input-wide row made, and malformed rows refused with the row named.
/// </summary>
public sealed class SparseBatchScoringTests
{
    private const int Width = 300;

    public static TheoryData<string, int[], bool> Shapes => new()
    {
        { nameof(MlpTask.Multiclass), new[] { Width, 16, 8, 3 }, true },
        { nameof(MlpTask.Binary), new[] { Width, 12, 1 }, true },
        { nameof(MlpTask.Regression), new[] { Width, 10, 1 }, true },
        { nameof(MlpTask.Multiclass), new[] { Width, 4 }, true }, // no hidden layer: the first layer is the output layer
        { nameof(MlpTask.Multiclass), new[] { Width, 16, 8, 3 }, false },
        { nameof(MlpTask.Binary), new[] { Width, 12, 1 }, false },
    };

    /// <summary>The rows as CSR; every fifth row is empty (all features 0).</summary>
    private static (int[] RowStarts, int[] Indices, float[] Values) Csr(float[][] rows)
    {
        var starts = new List<int> { 0 };
        var indices = new List<int>();
        var values = new List<float>();
        foreach (float[] row in rows)
        {
            (int[] i, float[] v) = NonZeros(row);
            indices.AddRange(i);
            values.AddRange(v);
            starts.Add(indices.Count);
        }
        return (starts.ToArray(), indices.ToArray(), values.ToArray());
    }

    private static float[][] Rows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(r => r % 5 == 4 ? new float[Width] : SparseRow(random, Width, nonZeros: 14)).ToArray();
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ScoresEveryRowAsTheRowByRowSparsePredict(string taskName, int[] sizes, bool inputMajor)
    {
        MlpTask task = Enum.Parse<MlpTask>(taskName);
        MlpNetwork network = Create(sizes, task, MlpActivation.Tanh, seed: 21, outputScale: task == MlpTask.Regression ? 8f : 1f);
        if (!inputMajor)
            network = UnitMajorTwin(network);
        float[][] rows = Rows(600, seed: 22); // two blocks of 512
        (int[] starts, int[] indices, float[] values) = Csr(rows);
        int width = network.Layout.OutputSize;
        var batch = new float[rows.Length * width];

        network.PredictBatch(starts, indices, values, batch, threads: 2);

        for (int r = 0; r < rows.Length; r++)
            AssertClose(PredictSparse(network, rows[r]), batch.AsSpan(r * width, width).ToArray(), what: $"row {r}, output");
    }

    [Fact]
    public void NoRowsScoreNothing()
    {
        MlpNetwork network = Create(new[] { Width, 6, 3 }, seed: 23);
        float[] outputs = { 7f, 7f, 7f };

        network.PredictBatch(new[] { 0 }, Array.Empty<int>(), Array.Empty<float>(), outputs, threads: 1);
        network.PredictBatch(new[] { 0 }, Array.Empty<int>(), Array.Empty<float>(), Span<float>.Empty, threads: 1);

        Assert.Equal(new[] { 7f, 7f, 7f }, outputs); // nothing written: there was no row to score
    }

    [Fact]
    public void AHashedWidthModelScoresABatchWithoutAnInputWideRow()
    {
        const int hashedWidth = 1 << 21;
        MlpNetwork network = Create(new[] { hashedWidth, 8, 1 }, MlpTask.Binary, seed: 24);
        var random = new Random(25);
        var starts = new List<int> { 0 };
        var indices = new List<int>();
        for (int r = 0; r < 50; r++)
        {
            indices.AddRange(Enumerable.Range(0, 14).Select(_ => random.Next(hashedWidth)).Distinct().Order());
            starts.Add(indices.Count);
        }
        float[] values = indices.Select(_ => 1f).ToArray();
        var scores = new float[50];
        network.PredictBatch(starts.ToArray(), indices.ToArray(), values, scores, threads: 1); // warm up

        long allocated = ThreadAllocations.Fewest(3, () => network.PredictBatch(starts.ToArray(), indices.ToArray(), values, scores, threads: 1));

        Assert.All(scores, s => Assert.True(float.IsFinite(s)));
        // One dense row alone would be 8 MiB, the batch 400 MiB; the matrix kernels' packing buffers (2 MiB) are kept
        // from the first call, so a call allocates its arguments' copies above and a few small blocks.
        Assert.True(allocated < 64 * 1024, $"Scoring 50 sparse rows of a {hashedWidth}-feature model allocated {allocated} bytes.");
    }

    [Fact]
    public void ConcurrentCallsOnOneModelEachGetTheRightScores()
    {
        // The model keeps one matrix engine between calls; callers that overlap must not share it.
        MlpNetwork network = Create(new[] { Width, 32, 16, 3 }, seed: 27);
        float[][] rows = Rows(300, seed: 28);
        (int[] starts, int[] indices, float[] values) = Csr(rows);
        var expected = new float[rows.Length * 3];
        network.PredictBatch(starts, indices, values, expected, threads: 1);

        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, call =>
        {
            var scores = new float[rows.Length * 3];
            if (call % 2 == 0)
                network.PredictBatch(starts, indices, values, scores, threads: 1);
            else
                network.PredictBatch(rows.SelectMany(r => r).ToArray(), scores, rows.Length, threads: 1);
            AssertClose(expected, scores, what: $"call {call}, output");
        });
    }

    [Theory]
    [InlineData(new[] { 1, 2 }, new[] { 3, 4 }, "begin at 0")]
    [InlineData(new[] { 0, 1 }, new[] { 3, 4 }, "end at the number of non-zeros (2)")]
    [InlineData(new[] { 0, 2, 1, 2 }, new[] { 3, 4 }, "row 1 starts at 2 and ends at 1")]
    [InlineData(new[] { 0, 5, 2 }, new[] { 3, 4 }, "Row 0 ends at 5, past the 2 non-zeros")]
    [InlineData(new[] { 0, 2 }, new[] { 4, 3 }, "Row 0: sparse indices must be strictly increasing")]
    [InlineData(new[] { 0, 1, 2 }, new[] { 3, Width }, "Row 1: sparse indices must be strictly increasing and within 0 to 299")]
    public void MalformedRowsAreRefusedNamingWhatIsWrong(int[] starts, int[] indices, string message)
    {
        MlpNetwork network = Create(new[] { Width, 6, 3 }, seed: 26);

        var error = Assert.Throws<ArgumentException>(() =>
            network.PredictBatch(starts, indices, indices.Select(_ => 1f).ToArray(), new float[30], threads: 1));

        Assert.Contains(message, error.Message);
    }
}
