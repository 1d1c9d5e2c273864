using MlpTrainer.Kernels;
using System;
using System.Collections.Generic;
using Xunit;
using Xunit.Abstractions;

namespace MlpTrainer.Tests.Kernels.Gemm;

public sealed class GemmEngineDeterminismTests
{
    private static readonly GemmPath[] ConcretePaths = { GemmPath.Vector512, GemmPath.Vector256, GemmPath.Scalar };

    private readonly ITestOutputHelper _output;

    public GemmEngineDeterminismTests(ITestOutputHelper output) => _output = output;

    /// <summary>(m, n, k, transA, transB, accumulate): shapes big enough to be split over threads, covering row and column splits and several K blocks.</summary>
    public static TheoryData<int, int, int, bool, bool, bool> ParallelShapes()
    {
        var data = new TheoryData<int, int, int, bool, bool, bool>
        {
            { 300, 300, 300, false, false, false },
            { 129, 784, 300, true, false, true },
            { 300, 31, 513, false, true, false },
            { 31, 300, 129, true, true, true },
            { 128, 256, 784, false, true, false },
            { 256, 784, 128, true, false, true },
            { 1000, 10, 128, false, true, false },
        };
        return data;
    }

    /// <summary>Parallel shapes plus small and ragged ones that run on the caller alone.</summary>
    public static TheoryData<int, int, int, bool, bool, bool> AllShapes()
    {
        TheoryData<int, int, int, bool, bool, bool> data = ParallelShapes();
        data.Add(1, 1, 1, false, false, false);
        data.Add(7, 31, 7, true, false, true);
        data.Add(129, 7, 31, false, true, true);
        data.Add(13, 17, 257, true, true, false);
        data.Add(128, 10, 128, false, true, false);
        return data;
    }

    [Theory]
    [MemberData(nameof(ParallelShapes))]
    public void ResultsAreBitIdenticalForOneTwoAndThreeThreads(int m, int n, int k, bool transA, bool transB, bool accumulate)
    {
        Assert.True(GemmPartition.Create(m, n, k, 2).Threads > 1, "shape should be split over threads");
        var g = new GemmCase(Op(transA), Op(transB), m, n, k, accumulate);

        float[] expected = RunOn(g, threads: 1, GemmPath.Auto);
        AssertBitIdentical(expected, RunOn(g, threads: 2, GemmPath.Auto), "2 threads");
        AssertBitIdentical(expected, RunOn(g, threads: 3, GemmPath.Auto), "3 threads");
    }

    [Theory]
    [MemberData(nameof(AllShapes))]
    public void ResultsAreBitIdenticalAcrossVector512Vector256AndScalarPaths(int m, int n, int k, bool transA, bool transB, bool accumulate)
    {
        var g = new GemmCase(Op(transA), Op(transB), m, n, k, accumulate);
        float[] scalar = RunOn(g, threads: 2, GemmPath.Scalar);

        foreach (GemmPath path in SupportedVectorPaths())
        {
            AssertBitIdentical(scalar, RunOn(g, threads: 2, path), path.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(AllShapes))]
    public void EveryPathReproducesTheDeterminismContractReferenceBitForBit(int m, int n, int k, bool transA, bool transB, bool accumulate)
    {
        var g = new GemmCase(Op(transA), Op(transB), m, n, k, accumulate);
        float[] contract = ReferenceGemm.FollowingContract(g);

        foreach (GemmPath path in ConcretePaths)
        {
            if (GemmEngine.IsSupported(path))
            {
                AssertBitIdentical(contract, RunOn(g, threads: 2, path), path.ToString());
            }
        }
    }

    [Fact]
    public void ScalarAndAutoPathsAreAlwaysAvailable()
    {
        Assert.True(GemmEngine.IsSupported(GemmPath.Scalar));
        Assert.True(GemmEngine.IsSupported(GemmPath.Auto));
        using var engine = new GemmEngine(1, GemmPath.Scalar);
        Assert.Equal(GemmPath.Scalar, engine.Path);
    }

    [Fact]
    public void AutoResolvesToTheWidestSupportedPath()
    {
        using var engine = new GemmEngine(1);
        GemmPath expected = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && GemmEngine.IsSupported(GemmPath.Vector512)
            ? GemmPath.Vector512
            : GemmEngine.IsSupported(GemmPath.Vector256) ? GemmPath.Vector256 : GemmPath.Scalar;
        Assert.Equal(expected, engine.Path);
    }

    [Fact]
    public void RepeatedCallsOnOneEngineGiveIdenticalResults()
    {
        using var engine = new GemmEngine(2);
        var g = new GemmCase(Transpose.No, Transpose.Yes, 128, 256, 784, accumulate: true);

        float[] first = g.Run(engine);
        for (int i = 0; i < 5; i++)
        {
            AssertBitIdentical(first, g.Run(engine), $"call {i + 2}");
        }
    }

    private IEnumerable<GemmPath> SupportedVectorPaths()
    {
        foreach (GemmPath path in new[] { GemmPath.Vector512, GemmPath.Vector256 })
        {
            if (GemmEngine.IsSupported(path))
            {
                yield return path;
            }
            else
            {
                _output.WriteLine($"{path} is not supported by this processor; not compared.");
            }
        }
    }

    private static Transpose Op(bool transposed) => transposed ? Transpose.Yes : Transpose.No;

    private static float[] RunOn(GemmCase g, int threads, GemmPath path)
    {
        using var engine = new GemmEngine(threads, path);
        return g.Run(engine);
    }

    private static void AssertBitIdentical(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            int e = BitConverter.SingleToInt32Bits(expected[i]), a = BitConverter.SingleToInt32Bits(actual[i]);
            Assert.True(e == a, $"{what}: element {i} is {actual[i]:R} (0x{a:X8}), expected {expected[i]:R} (0x{e:X8})");
        }
    }
}
