using MlpTrainer.Data;

namespace MlpTrainer.Tests.Data;

/// <summary>Storage prepared on another thread (<see cref="DenseDataset.PrepareForRows"/>) holds exactly the rows added, in order.</summary>
public class DenseDatasetTests
{
    private static float[][] Rows(int count, int features, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, features).Select(_ => (float)random.NextDouble()).ToArray()).ToArray();
    }

    [Fact]
    public void RowsAddedIntoPreparedStorageReadBackUnchanged()
    {
        float[][] rows = Rows(5000, 300, seed: 1);

        DenseDataset dataset = Prepared(rows);

        AssertHolds(rows, dataset);
    }

    [Fact]
    public void PreparingForMoreRowsThanArriveStillHoldsExactlyTheRowsAdded()
    {
        float[][] rows = Rows(3000, 300, seed: 2);
        var dataset = new DenseDataset(300, 0);
        dataset.PrepareForRows(10_000);
        foreach (float[] row in rows.Take(2000))
            dataset.Add(row, 1f, 1f);
        dataset.EndPreparation();
        foreach (float[] row in rows.Skip(2000))
            dataset.Add(row, 1f, 1f); // after the preparation ends, storage is allocated as usual

        AssertHolds(rows, dataset);
    }

    [Fact]
    public void ReleasedStorageIsFilledAgainByTheNextDatasetWithItsOwnRows()
    {
        float[][] first = Rows(4000, 300, seed: 3), second = Rows(3500, 300, seed: 4);
        DenseDataset old = Prepared(first);
        GC.KeepAlive(first);
        old.Release();
        Assert.Throws<ObjectDisposedException>(() => old.Row(0).ToArray());

        DenseDataset dataset = Prepared(second);

        AssertHolds(second, dataset);
    }

    /// <summary>A dataset of <paramref name="rows"/>, added into storage prepared for them.</summary>
    private static DenseDataset Prepared(float[][] rows)
    {
        var dataset = new DenseDataset(rows[0].Length, 0);
        dataset.PrepareForRows(rows.Length);
        foreach (float[] row in rows)
            dataset.Add(row, 1f, 1f);
        dataset.EndPreparation();
        return dataset;
    }

    private static void AssertHolds(float[][] rows, DenseDataset dataset)
    {
        Assert.Equal(rows.Length, dataset.RowCount);
        for (int i = 0; i < rows.Length; i++)
            Assert.True(dataset.Row(i).SequenceEqual(rows[i]), $"row {i}");
    }

    [Fact]
    public void SparseRowsWrittenIntoReleasedStorageHaveZerosWhereTheyHaveNoValue()
    {
        var old = new DenseDataset(50, 0);
        for (int i = 0; i < 3000; i++)
            old.Add(Enumerable.Repeat(7f, 50).ToArray(), 1f, 1f);
        old.Release();
        var dataset = new DenseDataset(50, 0);
        var features = new Microsoft.ML.Data.VBuffer<float>(50, 2, new[] { 1f, 2f }, new[] { 3, 40 });
        for (int i = 0; i < 3000; i++)
            dataset.Add(features, 1f, 1f);
        float[] expected = new float[50];
        expected[3] = 1f;
        expected[40] = 2f;
        for (int i = 0; i < dataset.RowCount; i++)
            Assert.True(dataset.Row(i).SequenceEqual(expected), $"row {i}");
    }
}
