using System;

namespace MlpTrainer.Tests.Support;

/// <summary>
/// Bytes allocated on the calling thread by an action. The runtime can add a stray allocation to any single run (the
/// JIT installing a tier-1 body, a type's first use); code that allocates per call shows in every run, so the fewest
/// bytes over a few runs is what an allocation test judges.
/// </summary>
public static class ThreadAllocations
{
    public static long Fewest(int runs, Action action)
    {
        long fewest = long.MaxValue;
        for (int run = 0; run < runs; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
