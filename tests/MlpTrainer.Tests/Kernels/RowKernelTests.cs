using System.Numerics.Tensors;
using MlpTrainer.Kernels;

namespace MlpTrainer.Tests.Kernels;

/// <summary>The per-row kernels against their references: System.Numerics.Tensors' operations and plain scalar loops, bit for bit.</summary>
public class RowKernelTests
{
    public static TheoryData<int> Lengths => new() { 1, 2, 7, 10, 16, 17, 33, 100 };

    public static TheoryData<int> EveryShortLengthAndSomeLong => new(Enumerable.Range(1, 40).Concat(new[] { 64, 100, 257, 1000 }));

    private static float[] Row(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, 4 * random.NextDouble() - 2))).ToArray();
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void MaxIsTheLargestValue(int length)
    {
        float[] row = Row(length, length);
        Assert.Equal(TensorPrimitives.Max<float>(row), RowKernel.Max(row));
    }

    [Fact]
    public void MaxOfARowWithNaNIsNaN()
        => Assert.True(float.IsNaN(RowKernel.Max(new[] { 1f, float.NaN, 3f })));

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SubtractMultiplyAndDivideEqualTheElementwiseOperations(int length)
    {
        float[] row = Row(length, 100 + length);
        float[] expected = row.ToArray(), actual = row.ToArray();
        TensorPrimitives.Subtract(expected, 0.37f, expected);
        TensorPrimitives.Multiply(expected, 1.91f, expected);
        TensorPrimitives.Divide(expected, 3.3f, expected);
        RowKernel.Subtract(actual, 0.37f);
        RowKernel.Multiply(actual, 1.91f);
        RowKernel.Divide(actual, 3.3f);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void AllFiniteFindsANaNOrInfinityAtAnyPosition(int length)
    {
        float[] row = Row(length, 200 + length);
        Assert.True(RowKernel.AllFinite(row));
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            for (int i = 0; i < length; i++)
            {
                float[] copy = row.ToArray();
                copy[i] = bad;
                Assert.False(RowKernel.AllFinite(copy), $"{bad} at {i} of {length}");
            }
        }
    }

    [Fact]
    public void AllFiniteAcceptsTheExtremesOfFloat()
        => Assert.True(RowKernel.AllFinite(new[] { float.MaxValue, float.MinValue, float.Epsilon, -0f, 0f }));

    [Theory]
    [MemberData(nameof(Lengths))]
    public void IndexOfMaxMatchesTensorPrimitives(int length)
    {
        float[] row = Row(length, 400 + length);
        Assert.Equal(TensorPrimitives.IndexOfMax<float>(row), RowKernel.IndexOfMax(row));
    }

    [Fact]
    public void IndexOfMaxTakesTheFirstOfEqualValuesAndAFirstNaN()
    {
        Assert.Equal(1, RowKernel.IndexOfMax(new[] { 1f, 3f, 3f }));
        Assert.Equal(1, RowKernel.IndexOfMax(new[] { 1f, float.NaN, 9f }));
    }

    /// <summary>Replaces about one value in four with one of <paramref name="edges"/>.</summary>
    private static void Sprinkle(float[] row, float[] edges, Random random)
    {
        for (int i = 0; i < row.Length; i++)
            if (random.Next(4) == 0)
                row[i] = edges[random.Next(edges.Length)];
    }

    private static void AssertSameBits(float[] expected, float[] actual)
        => Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));

    [Theory]
    [MemberData(nameof(EveryShortLengthAndSomeLong))]
    public void ExpEqualsTensorPrimitivesBitForBitAtEveryLength(int length)
    {
        // Softmax inputs: shifted logits (≤ 0, some far below), plus the edges of float's exponential.
        var random = new Random(500 + length);
        float[] row = Enumerable.Range(0, length).Select(_ => (float)(-random.NextDouble() * Math.Pow(10, 3 * random.NextDouble() - 1))).ToArray();
        float[] edges = { 0f, -0f, -87.3f, -103.9f, -104f, 88.7f, 89f, float.NegativeInfinity, -1e-30f };
        Sprinkle(row, edges, random);
        float[] expected = new float[length], actual = row.ToArray();

        TensorPrimitives.Exp(row, expected);
        RowKernel.Exp(actual);

        AssertSameBits(expected, actual);
    }

    [Fact]
    public void ExpOfNaNIsNaN()
    {
        float[] row = Enumerable.Repeat(-1f, 20).ToArray();
        row[13] = float.NaN;
        RowKernel.Exp(row);
        Assert.True(float.IsNaN(row[13]));
        Assert.Equal(MathF.Exp(-1f), row[0], 6);
    }

    [Theory]
    [MemberData(nameof(EveryShortLengthAndSomeLong))]
    public void MultiplyAddEqualsTensorPrimitivesBitForBit(int length)
    {
        float[] x = Row(length, 600 + length), accumulator = Row(length, 700 + length);
        float[] edges = { 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.MaxValue, 1e-40f };
        var random = new Random(650 + length);
        for (int i = 0; i < length; i++)
        {
            if (random.Next(5) == 0)
                x[i] = edges[random.Next(edges.Length)];
            if (random.Next(5) == 0)
                accumulator[i] = edges[random.Next(edges.Length)];
        }
        foreach (float scale in new[] { 0.731f, -3f, 0f, -0f, 1e30f, float.PositiveInfinity })
        {
            float[] expected = new float[length], actual = accumulator.ToArray();

            TensorPrimitives.MultiplyAdd(x, scale, accumulator, expected);
            RowKernel.MultiplyAdd(x, scale, actual);

            // Every value equal to the bit; a NaN may carry the other operand's payload, so NaNs only need to be NaN.
            Assert.Equal(expected.Select(Bits), actual.Select(Bits));
        }

        static int Bits(float v) => float.IsNaN(v) ? int.MinValue : BitConverter.SingleToInt32Bits(v);
    }

    [Theory]
    [MemberData(nameof(EveryShortLengthAndSomeLong))]
    public void SigmoidEqualsTensorPrimitivesBitForBit(int length)
    {
        // Pre-activations of every size, including those whose exponential overflows or underflows.
        var random = new Random(800 + length);
        float[] row = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, 3 * random.NextDouble() - 1))).ToArray();
        float[] edges = { 0f, -0f, 88.8f, -88.8f, 104f, -104f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1e-40f };
        Sprinkle(row, edges, random);
        float[] expected = new float[length], actual = row.ToArray();

        TensorPrimitives.Sigmoid(row, expected);
        RowKernel.Sigmoid(actual);

        AssertSameBits(expected, actual);
    }

    [Theory]
    [MemberData(nameof(EveryShortLengthAndSomeLong))]
    public void TanhEqualsTensorPrimitivesBitForBit(int length)
    {
        var random = new Random(900 + length);
        float[] row = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, 3 * random.NextDouble() - 2))).ToArray();
        float[] edges = { 0f, -0f, 1e-30f, -1e-30f, 9f, -9f, 50f, -50f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, -1e-40f };
        Sprinkle(row, edges, random);
        float[] expected = new float[length], actual = row.ToArray();

        TensorPrimitives.Tanh(row, expected);
        RowKernel.Tanh(actual);

        AssertSameBits(expected, actual);
    }
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(37)]
    [InlineData(1000)]
    public void LargestMagnitudeIsTheAbsoluteOfTensorPrimitivesMaxMagnitude(int length)
    {
        var random = new Random(length);
        float[] values = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-40, 30)))).ToArray();
        if (length > 3)
            values[length / 2] = -values.Max(Math.Abs) * 2;   // the largest is negative

        float expected = length == 0 ? 0f : Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude<float>(values));

        Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(RowKernel.LargestMagnitude(values)));
    }

    [Theory]
    [InlineData(float.NaN, true)]
    [InlineData(float.PositiveInfinity, false)]
    [InlineData(float.NegativeInfinity, false)]
    public void LargestMagnitudeIsNaNWhenAValueIsNaNAndInfiniteWhenOneIsInfinite(float special, bool nan)
    {
        foreach (int at in new[] { 0, 5, 16, 40 })
        {
            float[] values = Enumerable.Range(0, 41).Select(i => i * 0.25f).ToArray();
            values[at] = special;

            float largest = RowKernel.LargestMagnitude(values);

            if (nan)
                Assert.True(float.IsNaN(largest), $"NaN at {at}");
            else
                Assert.Equal(float.PositiveInfinity, largest);
        }
    }
}
