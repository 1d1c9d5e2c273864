using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlpTrainer.Kernels;

/// <summary>
/// Runs an <see cref="IElementwiseOperator"/> over a span with Vector512 when the CPU accelerates it,
/// else Vector256, and scalar code for the remainder. Operators compute the same expression in every lane as
/// in their scalar form, so results do not depend on the vector width.
/// </summary>
internal static class ElementwiseKernel
{
    /// <summary>values[i] = op(values[i], parameter[i], scalar); parameter has the length of values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TOp>(Span<float> values, ReadOnlySpan<float> parameter, float scalar) where TOp : struct, IElementwiseOperator
    {
        if (parameter.Length != values.Length)
            throw new ArgumentException($"The parameter span has {parameter.Length} elements; {values.Length} expected.", nameof(parameter));
        ref float x = ref MemoryMarshal.GetReference(values);
        ref float p = ref MemoryMarshal.GetReference(parameter);
        int n = values.Length;
        int i = 0;
        TOp op = default;
        if (Vector512.IsHardwareAccelerated)
        {
            var s = Vector512.Create(scalar);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                Vector512.StoreUnsafe(op.Invoke(Vector512.LoadUnsafe(ref x, (nuint)i), Vector512.LoadUnsafe(ref p, (nuint)i), s), ref x, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(scalar);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                Vector256.StoreUnsafe(op.Invoke(Vector256.LoadUnsafe(ref x, (nuint)i), Vector256.LoadUnsafe(ref p, (nuint)i), s), ref x, (nuint)i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref x, i) = op.Invoke(Unsafe.Add(ref x, i), Unsafe.Add(ref p, i), scalar);
    }
}
