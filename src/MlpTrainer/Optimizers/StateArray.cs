namespace MlpTrainer.Optimizers;

/// <summary>
/// Allocates an optimizer's per-parameter state (moments, velocities) with its pages mapped. A large new array is fresh
/// memory from the operating system, mapped only when first touched, and the optimizer's first touch of each element
/// is a read (of the old moment) followed by a write: the read maps the shared zero page and the write then faults
/// again to replace it, which also flushes that mapping from the other cores' TLBs (an interrupt to each, a costly exit
/// on a virtual machine). Mapping the pages up front (<see cref="Data.PageMapping"/>) maps each with no flush.
/// <para>
/// The state of a sparse (input-major) first layer is left unmapped: a hashed layer may have millions of rows of which
/// training touches a few, and mapping them all would multiply the memory used. The optimizer writes each of those rows
/// before its first read instead (<see cref="Optimizer"/>).
/// </para>
/// </summary>
internal static class StateArray
{
    /// <summary>A zeroed array of <paramref name="length"/> floats whose pages from element <paramref name="mapFrom"/> on are mapped.</summary>
    public static float[] Create(int length, int mapFrom = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(mapFrom);
        var values = new float[length];
        Data.PageMapping.Map(values, mapFrom);
        return values;
    }
}
