using MlpTrainer.Layers;

namespace MlpTrainer.Tests.Sparse;

/// <summary>
/// <see cref="SparseRowGradient.AddScaled"/> against a plain scalar loop that adds x_j·δ into each slot's row, bit for
/// bit, and the slots it records.
/// </summary>
public class SparseRowGradientTests
{
    public static TheoryData<int> Widths => new() { 1, 3, 8, 15, 16, 17, 31, 32, 33, 48, 64, 100 };

    [Theory]
    [MemberData(nameof(Widths))]
    public void AddScaledEqualsAScalarMultiplyAddIntoEachSlotsRow(int width)
    {
        var random = new Random(width);
        const int slotCount = 60;
        var rows = new SparseRowGradient(slotCount, width);
        var expected = new Dictionary<int, float[]>();
        for (int r = 0; r < 7; r++)
        {
            int[] slots = Enumerable.Range(0, 12).Select(_ => random.Next(slotCount)).Distinct().ToArray();
            float[] values = slots.Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            float[] delta = Enumerable.Range(0, width).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, 3 * random.NextDouble() - 2))).ToArray();
            for (int k = 0; k < slots.Length; k++)
            {
                float[] row = expected.TryGetValue(slots[k], out float[]? known) ? known : expected[slots[k]] = new float[width];
                for (int i = 0; i < width; i++)
                    row[i] = delta[i] * values[k] + row[i];
            }

            rows.AddScaled(slots, values, delta);
        }

        Assert.Equal(expected.Keys.ToArray(), rows.Slots.ToArray()); // in the order first met
        for (int index = 0; index < rows.Count; index++)
            Assert.Equal(Bits(expected[rows.Slots[index]]), Bits(rows.Row(index).ToArray()));
    }

    [Fact]
    public void AddScaledGrowsItsBuffersWithinOneRowAndKeepsTheEarlierRows()
    {
        const int slotCount = 3000, width = 32;
        var rows = new SparseRowGradient(slotCount, width); // room for 1024 rows at first
        int[] slots = Enumerable.Range(0, slotCount).Select(j => (j * 7) % slotCount).ToArray();
        float[] values = slots.Select(j => 1f + j).ToArray();
        float[] delta = Enumerable.Range(0, width).Select(i => 0.5f + i).ToArray();

        rows.AddScaled(slots, values, delta);

        Assert.Equal(slotCount, rows.Count);
        for (int index = 0; index < rows.Count; index++)
            Assert.Equal(delta.Select(d => d * values[index]).ToArray(), rows.Row(index).ToArray());
    }

    [Fact]
    public void AddScaledAfterClearStartsTheRowsFromZero()
    {
        var rows = new SparseRowGradient(10, 4);
        rows.AddScaled(new[] { 2, 5 }, new[] { 3f, 4f }, new[] { 1f, 1f, 1f, 1f });
        rows.Clear();

        rows.AddScaled(new[] { 5 }, new[] { 2f }, new[] { 1f, 2f, 3f, 4f });

        Assert.Equal(new[] { 5 }, rows.Slots.ToArray());
        Assert.Equal(new[] { 2f, 4f, 6f, 8f }, rows.Row(0).ToArray());
    }

    [Fact]
    public unsafe void RowsOfSixteenFloatMultiplesStartOnACacheLineBeforeAndAfterGrowing()
    {
        var rows = new SparseRowGradient(5000, 32);
        int[] slots = Enumerable.Range(0, 3000).ToArray(); // grows past the first 1024 rows
        rows.AddScaled(slots, slots.Select(_ => 1f).ToArray(), new float[32]);
        foreach (int index in new[] { 0, 1, 1023, 1024, 2999 })
        {
            fixed (float* row = rows.Row(index))
                Assert.Equal(0, (long)row % 64);
        }
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
