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
        var dataset = new DenseDataset(300, 0);
        dataset.PrepareForRows(rows.Length);
        foreach (float[] row in rows)
            dataset.Add(row, 1f, 1f);
        dataset.EndPreparation();

        Assert.Equal(rows.Length, dataset.RowCount);
        for (int i = 0; i < rows.Length; i++)
            Assert.True(dataset.Row(i).SequenceEqual(rows[i]), $"row {i}");
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

        Assert.Equal(rows.Length, dataset.RowCount);
        for (int i = 0; i < rows.Length; i++)
            Assert.True(dataset.Row(i).SequenceEqual(rows[i]), $"row {i}");
    }

    [Fact]
    public void ReleasedStorageIsFilledAgainByTheNextDatasetWithItsOwnRows()
    {
        float[][] first = Rows(4000, 300, seed: 3), second = Rows(3500, 300, seed: 4);
        var old = new DenseDataset(300, 0);
        old.PrepareForRows(first.Length);
        foreach (float[] row in first)
            old.Add(row, 1f, 1f);
        old.EndPreparation();
        GC.KeepAlive(first);
        old.Release();
        Assert.Throws<ObjectDisposedException>(() => old.Row(0).ToArray());

        var dataset = new DenseDataset(300, 0);
        dataset.PrepareForRows(second.Length);
        foreach (float[] row in second)
            dataset.Add(row, 1f, 1f);
        dataset.EndPreparation();
        Assert.Equal(second.Length, dataset.RowCount);
        for (int i = 0; i < second.Length; i++)
            Assert.True(dataset.Row(i).SequenceEqual(second[i]), $"row {i}");
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
