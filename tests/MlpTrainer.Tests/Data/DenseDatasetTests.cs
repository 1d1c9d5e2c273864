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
}
