using MlpTrainer.Kernels;
using MlpTrainer.Tests.Support;
using System;
using Xunit;

namespace MlpTrainer.Tests.Kernels.Gemm;

[Collection(AllocationCollection.Name)]
public sealed class GemmEngineAllocationTests
{
    /// <summary>The training shapes: parallel (split) ones and caller-only ones, all transpose kinds.</summary>
    private static readonly GemmCase[] Cases =
    {
        new(Transpose.No, Transpose.Yes, 128, 256, 784, accumulate: false),
        new(Transpose.No, Transpose.Yes, 128, 10, 128, accumulate: false),
        new(Transpose.No, Transpose.No, 128, 256, 128, accumulate: false),
        new(Transpose.Yes, Transpose.No, 256, 300, 128, accumulate: true),
        new(Transpose.Yes, Transpose.Yes, 31, 7, 129, accumulate: true),
    };

    [Fact]
    public void MultiplyAllocatesNothingOnTheCallingThreadAfterWarmUp()
    {
        using var engine = new GemmEngine(2);
        float[][] outputs = WarmUp(engine);

        long allocated = ThreadAllocations.Fewest(3, () => RunAll(engine, outputs, rounds: 20));

        Assert.Equal(0, allocated);
    }

    /// <summary>
    /// Process-wide count, so it includes the worker threads. Exactly zero is expected; the bound
    /// leaves room only for a stray runtime allocation (the runner's or the tiering JIT's own),
    /// far below the 200 calls × at least 24 bytes that any per-call allocation would add.
    /// </summary>
    [Fact]
    public void WorkerThreadsAllocateNothingPerCallEither()
    {
        using var engine = new GemmEngine(2);
        float[][] outputs = WarmUp(engine);

        // The count is process-wide, so the runtime's own background work (tiered JIT compiling a method, a
        // timer) can land in one window; a per-call allocation would show in every window, so the quietest of
        // five windows is what is judged.
        long quietest = long.MaxValue;
        for (int window = 0; window < 5; window++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            RunAll(engine, outputs, rounds: 40);
            quietest = Math.Min(quietest, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        Assert.True(quietest < 1024, $"{quietest} bytes allocated during 200 calls (the quietest of five windows)");
    }

    private static float[][] WarmUp(GemmEngine engine)
    {
        var outputs = new float[Cases.Length][];
        for (int i = 0; i < Cases.Length; i++)
        {
            outputs[i] = (float[])Cases[i].InitialC.Clone();
        }

        RunAll(engine, outputs, rounds: 3);
        return outputs;
    }

    private static void RunAll(GemmEngine engine, float[][] outputs, int rounds)
    {
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < Cases.Length; i++)
            {
                GemmCase g = Cases[i];
                engine.Multiply(g.TransA, g.TransB, g.M, g.N, g.K, g.A, g.AOffset, g.Lda, g.B, g.BOffset, g.Ldb, outputs[i], g.COffset, g.Ldc, g.Accumulate);
            }
        }
    }
}
