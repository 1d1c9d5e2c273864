using MlpTrainer.Kernels;

namespace MlpTrainer.Tests.Kernels;

/// <summary>
/// <see cref="SparseGatherKernel.Sum"/> against a plain scalar loop that adds each non-zero's weight row times its value
/// into a cleared z, bit for bit, for widths that take every register block and the scalar tail.
/// </summary>
public class SparseGatherKernelTests
{
    public static TheoryData<int> Widths => new(Enumerable.Range(1, 70).Concat(new[] { 96, 100, 128, 130 }));

    [Theory]
    [MemberData(nameof(Widths))]
    public void SumEqualsAScalarMultiplyAddPerNonZero(int width)
    {
        var random = new Random(width);
        const int tableRows = 50;
        float[] table = Enumerable.Range(0, tableRows * width).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, 4 * random.NextDouble() - 2))).ToArray();
        int[] slots = Enumerable.Range(0, 40).Select(_ => random.Next(tableRows)).ToArray(); // repeats included
        float[] values = slots.Select(_ => (float)(random.NextDouble() * 3 - 1)).ToArray();
        float[] expected = new float[width];
        for (int k = 0; k < slots.Length; k++)
        {
            for (int i = 0; i < width; i++)
                expected[i] = table[slots[k] * width + i] * values[k] + expected[i];
        }
        float[] actual = Enumerable.Repeat(float.NaN, width).ToArray(); // whatever z held is overwritten

        int bad = SparseGatherKernel.Sum(table, slots, values, actual);

        Assert.Equal(-1, bad);
        Assert.Equal(Bits(expected), Bits(actual));
    }

    [Fact]
    public void SumOfARowWithoutNonZerosIsZero()
    {
        float[] z = { 1f, 2f, 3f };
        Assert.Equal(-1, SparseGatherKernel.Sum(new float[30], ReadOnlySpan<int>.Empty, ReadOnlySpan<float>.Empty, z));
        Assert.Equal(new[] { 0f, 0f, 0f }, z);
    }

    [Fact]
    public void SumReportsTheFirstSlotOutsideTheTableAndLeavesZAlone()
    {
        float[] z = { 5f, 6f };
        int bad = SparseGatherKernel.Sum(new float[10], new[] { 1, 4, 5, -1 }, new[] { 1f, 1f, 1f, 1f }, z);
        Assert.Equal(2, bad); // the table has 5 rows of 2: slot 5 is the first outside it
        Assert.Equal(new[] { 5f, 6f }, z);
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
