using System.Threading;

namespace MlpTrainer.Kernels;

/// <summary>
/// The one multi-thread <see cref="GemmEngine"/> the process keeps between scoring calls (<c>PredictBatch</c> with more
/// than one thread), so a call does not start and join worker threads and allocate their packing buffers (about 2 MiB a
/// thread) every time — several milliseconds, more than scoring a small batch takes. An engine handed back is told to
/// <see cref="GemmEngine.Rest"/>, so its workers sleep at once and use no CPU while it waits. At most one engine is kept,
/// so the threads kept are bounded; a caller that finds none (or one with another thread count, which is then stopped)
/// makes its own. The engine is never disposed: its workers are background threads, asleep.
/// </summary>
internal static class GemmEnginePool
{
    private static GemmEngine? s_idle;

    /// <summary>An engine of <paramref name="threads"/> threads (at least 2) for one caller, until <see cref="Return"/>.</summary>
    public static GemmEngine Rent(int threads)
    {
        if (Interlocked.Exchange(ref s_idle, null) is { } idle)
        {
            if (idle.Threads == threads)
                return idle;
            idle.Dispose();
        }
        return new GemmEngine(threads);
    }

    /// <summary>Hands <paramref name="engine"/> back: kept, resting, for the next caller, or disposed when one is kept already.</summary>
    public static void Return(GemmEngine engine)
    {
        engine.Rest();
        if (Interlocked.CompareExchange(ref s_idle, engine, null) is not null)
            engine.Dispose();
    }
}
