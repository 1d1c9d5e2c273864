using System.Runtime.CompilerServices;

namespace MlpTrainer.Optimizers;

/// <summary>
/// Allocates an optimizer's per-parameter state (moments, velocities) already mapped. A large new array is fresh memory
/// from the operating system, mapped only when first touched, and the optimizer's first touch of each element is a
/// read (of the old moment) followed by a write: the read maps the shared zero page and the write then faults again to
/// copy it, which also flushes that mapping from the other cores' TLBs (an interrupt to each, a costly exit on a
/// virtual machine). In a short sparse fit, where each minibatch first reaches new rows of a 22 MB Adam state, those
/// faults cost as much as the updates. Writing one zero per page up front maps each page with one fault and no flush.
/// </summary>
internal static class StateArray
{
    /// <summary>Floats per 4 KiB page: writing one of them maps the page.</summary>
    private const int FloatsPerPage = 4096 / sizeof(float);

    /// <summary>A zeroed array of <paramref name="length"/> floats whose pages are all mapped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] Create(int length)
    {
        var values = new float[length];
        for (int i = 0; i < values.Length; i += FloatsPerPage)
            Volatile.Write(ref values[i], 0f);
        if (values.Length > 0)
            Volatile.Write(ref values[^1], 0f); // the last page, when the array does not start on a page boundary
        return values;
    }
}
