using System.Runtime.CompilerServices;

namespace MlpTrainer.Optimizers;

/// <summary>
/// Allocates an optimizer's per-parameter state (moments, velocities) with its pages mapped. A large new array is fresh
/// memory from the operating system, mapped only when first touched, and the optimizer's first touch of each element
/// is a read (of the old moment) followed by a write: the read maps the shared zero page and the write then faults
/// again to replace it, which also flushes that mapping from the other cores' TLBs (an interrupt to each, a costly exit
/// on a virtual machine). Writing one zero per page up front maps each page with one fault and no flush.
/// <para>
/// The state of a sparse (input-major) first layer is left unmapped: a hashed layer may have millions of rows of which
/// training touches a few, and mapping them all would multiply the memory used. The optimizer writes each of those rows
/// before its first read instead (<see cref="Optimizer"/>).
/// </para>
/// </summary>
internal static class StateArray
{
    /// <summary>Floats per 4 KiB page: writing one of them maps the page.</summary>
    private const int FloatsPerPage = 4096 / sizeof(float);

    /// <summary>A zeroed array of <paramref name="length"/> floats whose pages from element <paramref name="mapFrom"/> on are mapped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] Create(int length, int mapFrom = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(mapFrom);
        var values = new float[length];
        for (int i = mapFrom; i < values.Length; i += FloatsPerPage)
            Volatile.Write(ref values[i], 0f);
        if (mapFrom < values.Length)
            Volatile.Write(ref values[^1], 0f); // the last page, when the array does not start on a page boundary
        return values;
    }
}
