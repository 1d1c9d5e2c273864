using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace MlpTrainer.Kernels;

/// <summary>
/// Asks the processor to start loading a row that a scattered loop will touch a few iterations later (x86 only; a no-op
/// elsewhere). Such loops (the lazy optimizer step over a sparse first layer's rows) are bound by memory latency: the
/// out-of-order window holds only a few rows' misses at once, and a prefetch issued several rows ahead overlaps more of
/// them. A prefetch never faults and changes no value, so results are the same with or without it.
/// </summary>
internal static class RowPrefetch
{
    /// <summary>Prefetches every 64-byte line of the <paramref name="length"/> floats starting at <paramref name="row"/> into all cache levels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Lines(ref float row, int length)
    {
        if (!Sse.IsSupported || length <= 0)
            return;
        float* p = (float*)Unsafe.AsPointer(ref row); // only an address to prefetch: a stale one after a GC would be harmless
        for (int i = 0; i < length; i += 64 / sizeof(float))
            Sse.Prefetch0(p + i);
        Sse.Prefetch0(p + length - 1); // the line the row ends in, when the row does not start on a line
    }
}
