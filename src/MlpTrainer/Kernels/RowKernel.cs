using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlpTrainer.Kernels;

/// <summary>
/// Small per-row reductions and scalings the training loop runs for every row: the largest value and where it is, a
/// shift or scale by a scalar, and whether every value is finite. Each gives exactly what System.Numerics.Tensors
/// gives, compiled optimised from the first call: that library ships IL only, so its generic kernels start at tier 0,
/// which showed as a slow first epoch.
/// </summary>
internal static class RowKernel
{
    /// <summary>The largest value of a non-empty row (NaN when the row holds one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Max(ReadOnlySpan<float> row)
    {
        float max = row[0];
        for (int i = 1; i < row.Length; i++)
        {
            float v = row[i];
            if (v > max || float.IsNaN(v))
                max = v;
            if (float.IsNaN(max))
                return max;
        }
        return max;
    }

    /// <summary>row[i] −= shift.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Subtract(Span<float> row, float shift)
    {
        for (int i = 0; i < row.Length; i++)
            row[i] -= shift;
    }

    /// <summary>row[i] *= scale.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(Span<float> row, float scale)
    {
        for (int i = 0; i < row.Length; i++)
            row[i] *= scale;
    }

    /// <summary>row[i] /= divisor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Divide(Span<float> row, float divisor)
    {
        for (int i = 0; i < row.Length; i++)
            row[i] /= divisor;
    }

    /// <summary>The index of the largest value of a non-empty row, the first one on ties; the first NaN's index when there is one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int IndexOfMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 0; i < row.Length; i++)
        {
            if (float.IsNaN(row[i]))
                return i;
            if (row[i] > row[best])
                best = i;
        }
        return best;
    }

    /// <summary>True when no value is NaN or infinite (x − x is 0 for every finite x and NaN otherwise).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        ref float x = ref MemoryMarshal.GetReference(values);
        int n = values.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var zero = Vector512<float>.Zero;
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref x, (nuint)i);
                if (!Vector512.EqualsAll(v - v, zero))
                    return false;
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var zero = Vector256<float>.Zero;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref x, (nuint)i);
                if (!Vector256.EqualsAll(v - v, zero))
                    return false;
            }
        }
        for (; i < n; i++)
        {
            if (!float.IsFinite(Unsafe.Add(ref x, i)))
                return false;
        }
        return true;
    }
}
