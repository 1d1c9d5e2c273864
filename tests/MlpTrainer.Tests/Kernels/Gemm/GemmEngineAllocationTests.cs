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
    /// Counted on the worker thread itself (each worker always runs the same part of a parallel call, so a probe job
    /// reads that thread's own allocation counter before and after), so nothing else in the process (tests running in
    /// parallel, the runtime's background work) is counted. The bound leaves room only for a stray runtime allocation,
    /// far below the 200 calls × at least 24 bytes that any per-call allocation would add; the quietest of three
    /// windows is judged.
    /// </summary>
    [Fact]
    public void WorkerThreadsAllocateNothingPerCallEither()
    {
        using var engine = new GemmEngine(2);
        float[][] outputs = WarmUp(engine);
        var probe = new ThreadAllocationProbe(engine.Threads);
        var before = new long[engine.Threads];

        long quietest = long.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            engine.RunParallel(probe);
            probe.Bytes.CopyTo(before, 0);
            RunAll(engine, outputs, rounds: 40);
            engine.RunParallel(probe);
            quietest = Math.Min(quietest, probe.Bytes[1] - before[1]);
        }

        Assert.True(quietest < 1024, $"{quietest} bytes allocated on the worker thread during 200 calls (the quietest of three windows)");

        // The probe does see the worker's allocations: a job that allocates 4 KiB in part 1 shows.
        engine.RunParallel(probe);
        probe.Bytes.CopyTo(before, 0);
        engine.RunParallel(new AllocatingJob());
        engine.RunParallel(probe);
        Assert.True(probe.Bytes[1] - before[1] >= 4096, $"the probe saw {probe.Bytes[1] - before[1]} bytes of a 4 KiB allocation on the worker");
    }

    /// <summary>Allocates 4 KiB on the thread that runs part 1.</summary>
    private sealed class AllocatingJob : IParallelJob
    {
        public byte[]? Kept { get; private set; }

        public void Run(int part, int parts)
        {
            if (part == 1)
                Kept = new byte[4096];
        }
    }

    /// <summary>Reads, on the thread that runs each part, that thread's own allocation counter.</summary>
    private sealed class ThreadAllocationProbe : IParallelJob
    {
        public ThreadAllocationProbe(int parts) => Bytes = new long[parts];

        public long[] Bytes { get; }

        public void Run(int part, int parts) => Bytes[part] = GC.GetAllocatedBytesForCurrentThread();
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
