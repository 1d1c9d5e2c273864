using MlpTrainer.Kernels;
using System;
using Xunit;

namespace MlpTrainer.Tests.Kernels.Gemm;

public sealed class GemmEngineAccuracyTests
{
    private static readonly int[] Sizes = { 1, 7, 31, 129, 300 };

    /// <summary>(transA, transB, accumulate): all eight combinations.</summary>
    public static TheoryData<bool, bool, bool> Modes()
    {
        var data = new TheoryData<bool, bool, bool>();
        foreach (bool transA in new[] { false, true })
        {
            foreach (bool transB in new[] { false, true })
            {
                data.Add(transA, transB, false);
                data.Add(transA, transB, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void ProductOfSubmatricesMatchesDoublePrecisionReferenceForAllOddShapes(bool transA, bool transB, bool accumulate)
    {
        using var engine = new GemmEngine(2);
        int seed = 0;
        foreach (int m in Sizes)
        {
            foreach (int n in Sizes)
            {
                foreach (int k in Sizes)
                {
                    var g = new GemmCase(Op(transA), Op(transB), m, n, k, accumulate, ++seed);
                    AssertMatchesReference(g, g.Run(engine));
                }
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ZeroInnerDimensionClearsCOrLeavesItWhenAccumulating(bool accumulate)
    {
        using var engine = new GemmEngine(1);
        var g = new GemmCase(Transpose.No, Transpose.No, 7, 31, 0, accumulate);

        float[] c = g.Run(engine);

        for (int index = 0; index < c.Length; index++)
        {
            bool inside = IsInsideC(g, index);
            float expected = inside && !accumulate ? 0f : g.InitialC[index];
            Assert.Equal(expected, c[index]);
        }
    }

    [Fact]
    public void EmptyOutputIsANoOp()
    {
        using var engine = new GemmEngine(2);
        var g = new GemmCase(Transpose.Yes, Transpose.Yes, 0, 31, 7, accumulate: false);

        Assert.Equal(g.InitialC, g.Run(engine));
    }

    /// <summary>
    /// Every C element within a relative 1e-5 of the exact result (relative to the magnitude
    /// Σ|a·b| + |C|, widened to the fp32 dot-product bound 2(k+2)·2⁻²⁴ for long k), and every
    /// element outside the C submatrix untouched.
    /// </summary>
    private static void AssertMatchesReference(GemmCase g, float[] c)
    {
        (double[] product, double[] magnitude) = ReferenceGemm.InDouble(g);
        double relative = Math.Max(1e-5, 2.0 * (g.K + 2) * Math.Pow(2, -24));

        for (int index = 0; index < c.Length; index++)
        {
            if (!IsInsideC(g, index))
            {
                Assert.True(
                    BitConverter.SingleToInt32Bits(c[index]) == BitConverter.SingleToInt32Bits(g.InitialC[index]),
                    $"{g}: element {index} outside C was modified");
                continue;
            }

            int i = (index - g.COffset) / g.Ldc, j = (index - g.COffset) % g.Ldc;
            double expected = product[i * g.N + j];
            double tolerance = relative * magnitude[i * g.N + j] + 1e-30;
            Assert.True(
                Math.Abs(c[index] - expected) <= tolerance,
                $"{g}: C[{i},{j}] = {c[index]}, expected {expected} ± {tolerance}");
        }
    }

    private static Transpose Op(bool transposed) => transposed ? Transpose.Yes : Transpose.No;

    private static bool IsInsideC(GemmCase g, int index)
    {
        int relative = index - g.COffset;
        return relative >= 0 && relative / g.Ldc < g.M && relative % g.Ldc < g.N;
    }
}
