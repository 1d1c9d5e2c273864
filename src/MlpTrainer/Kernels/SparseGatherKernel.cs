using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlpTrainer.Kernels;

/// <summary>
/// The forward product of one sparse row with an input-major weight table: z = Σ_k values[k]·table[slots[k]], where
/// table row j is the <c>z.Length</c> values starting at j·z.Length. It gives the bits of clearing z and calling
/// <see cref="RowKernel.MultiplyAdd"/> once per non-zero (each term rounded, then added, in the order of the non-zeros),
/// but holds up to four vectors of z in registers across all the non-zeros instead of loading and storing z for each:
/// that call's span checks and the store-to-load chain through z kept few weight rows in flight, and the loop is
/// bound by the latency of those random reads, so a loop of a few instructions per non-zero lets the processor
/// overlap many more of them.
/// </summary>
internal static class SparseGatherKernel
{
    /// <summary>
    /// z = Σ_k values[k]·table[slots[k]·z.Length … +z.Length). Returns −1, or the position of the first slot outside the
    /// table (then z is left unchanged).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Sum(ReadOnlySpan<float> table, ReadOnlySpan<int> slots, ReadOnlySpan<float> values, Span<float> z)
    {
        int width = z.Length;
        if (values.Length != slots.Length)
            throw new ArgumentException($"The row has {slots.Length} slots and {values.Length} values.", nameof(values));
        if (width == 0)
            return -1;
        uint rowsInTable = (uint)(table.Length / width);
        for (int k = 0; k < slots.Length; k++)
        {
            if ((uint)slots[k] >= rowsInTable)
                return k;
        }

        ref float w = ref MemoryMarshal.GetReference(table);
        ref int s = ref MemoryMarshal.GetReference(slots);
        ref float x = ref MemoryMarshal.GetReference(values);
        ref float o = ref MemoryMarshal.GetReference(z);
        int n = slots.Length, c = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; c <= width - 4 * Vector512<float>.Count; c += 4 * Vector512<float>.Count)
                Sum4x512(ref Unsafe.Add(ref w, c), width, ref s, ref x, n, ref Unsafe.Add(ref o, c));
            if (c <= width - 2 * Vector512<float>.Count)
            {
                Sum2x512(ref Unsafe.Add(ref w, c), width, ref s, ref x, n, ref Unsafe.Add(ref o, c));
                c += 2 * Vector512<float>.Count;
            }
            for (; c <= width - Vector512<float>.Count; c += Vector512<float>.Count)
                Sum1x512(ref Unsafe.Add(ref w, c), width, ref s, ref x, n, ref Unsafe.Add(ref o, c));
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; c <= width - 4 * Vector256<float>.Count; c += 4 * Vector256<float>.Count)
                Sum4x256(ref Unsafe.Add(ref w, c), width, ref s, ref x, n, ref Unsafe.Add(ref o, c));
            if (c <= width - 2 * Vector256<float>.Count)
            {
                Sum2x256(ref Unsafe.Add(ref w, c), width, ref s, ref x, n, ref Unsafe.Add(ref o, c));
                c += 2 * Vector256<float>.Count;
            }
            for (; c <= width - Vector256<float>.Count; c += Vector256<float>.Count)
                Sum1x256(ref Unsafe.Add(ref w, c), width, ref s, ref x, n, ref Unsafe.Add(ref o, c));
        }
        for (; c < width; c++)
        {
            float sum = 0f;
            for (int k = 0; k < n; k++)
                sum = Unsafe.Add(ref w, (nint)Unsafe.Add(ref s, k) * width + c) * Unsafe.Add(ref x, k) + sum;
            Unsafe.Add(ref o, c) = sum;
        }
        return -1;
    }

    /// <summary>Columns [0, 64) of the table (from <paramref name="w"/>) summed into four registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sum4x512(ref float w, int width, ref int s, ref float x, int n, ref float o)
    {
        Vector512<float> a0 = Vector512<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
        for (int k = 0; k < n; k++)
        {
            ref float row = ref Unsafe.Add(ref w, (nint)Unsafe.Add(ref s, k) * width);
            Vector512<float> scale = Vector512.Create(Unsafe.Add(ref x, k));
            a0 = Vector512.LoadUnsafe(ref row) * scale + a0;
            a1 = Vector512.LoadUnsafe(ref row, 16) * scale + a1;
            a2 = Vector512.LoadUnsafe(ref row, 32) * scale + a2;
            a3 = Vector512.LoadUnsafe(ref row, 48) * scale + a3;
        }
        a0.StoreUnsafe(ref o);
        a1.StoreUnsafe(ref o, 16);
        a2.StoreUnsafe(ref o, 32);
        a3.StoreUnsafe(ref o, 48);
    }

    /// <summary>Columns [0, 32) of the table (from <paramref name="w"/>) summed into two registers: a 32-unit layer's whole row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sum2x512(ref float w, int width, ref int s, ref float x, int n, ref float o)
    {
        Vector512<float> a0 = Vector512<float>.Zero, a1 = a0;
        for (int k = 0; k < n; k++)
        {
            ref float row = ref Unsafe.Add(ref w, (nint)Unsafe.Add(ref s, k) * width);
            Vector512<float> scale = Vector512.Create(Unsafe.Add(ref x, k));
            a0 = Vector512.LoadUnsafe(ref row) * scale + a0;
            a1 = Vector512.LoadUnsafe(ref row, 16) * scale + a1;
        }
        a0.StoreUnsafe(ref o);
        a1.StoreUnsafe(ref o, 16);
    }

    /// <summary>Columns [0, 16) of the table (from <paramref name="w"/>) summed into one register.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sum1x512(ref float w, int width, ref int s, ref float x, int n, ref float o)
    {
        Vector512<float> a0 = Vector512<float>.Zero;
        for (int k = 0; k < n; k++)
            a0 = Vector512.LoadUnsafe(ref Unsafe.Add(ref w, (nint)Unsafe.Add(ref s, k) * width)) * Vector512.Create(Unsafe.Add(ref x, k)) + a0;
        a0.StoreUnsafe(ref o);
    }

    /// <summary>Columns [0, 32) of the table (from <paramref name="w"/>) summed into four registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sum4x256(ref float w, int width, ref int s, ref float x, int n, ref float o)
    {
        Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
        for (int k = 0; k < n; k++)
        {
            ref float row = ref Unsafe.Add(ref w, (nint)Unsafe.Add(ref s, k) * width);
            Vector256<float> scale = Vector256.Create(Unsafe.Add(ref x, k));
            a0 = Vector256.LoadUnsafe(ref row) * scale + a0;
            a1 = Vector256.LoadUnsafe(ref row, 8) * scale + a1;
            a2 = Vector256.LoadUnsafe(ref row, 16) * scale + a2;
            a3 = Vector256.LoadUnsafe(ref row, 24) * scale + a3;
        }
        a0.StoreUnsafe(ref o);
        a1.StoreUnsafe(ref o, 8);
        a2.StoreUnsafe(ref o, 16);
        a3.StoreUnsafe(ref o, 24);
    }

    /// <summary>Columns [0, 16) of the table (from <paramref name="w"/>) summed into two registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sum2x256(ref float w, int width, ref int s, ref float x, int n, ref float o)
    {
        Vector256<float> a0 = Vector256<float>.Zero, a1 = a0;
        for (int k = 0; k < n; k++)
        {
            ref float row = ref Unsafe.Add(ref w, (nint)Unsafe.Add(ref s, k) * width);
            Vector256<float> scale = Vector256.Create(Unsafe.Add(ref x, k));
            a0 = Vector256.LoadUnsafe(ref row) * scale + a0;
            a1 = Vector256.LoadUnsafe(ref row, 8) * scale + a1;
        }
        a0.StoreUnsafe(ref o);
        a1.StoreUnsafe(ref o, 8);
    }

    /// <summary>Columns [0, 8) of the table (from <paramref name="w"/>) summed into one register.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sum1x256(ref float w, int width, ref int s, ref float x, int n, ref float o)
    {
        Vector256<float> a0 = Vector256<float>.Zero;
        for (int k = 0; k < n; k++)
            a0 = Vector256.LoadUnsafe(ref Unsafe.Add(ref w, (nint)Unsafe.Add(ref s, k) * width)) * Vector256.Create(Unsafe.Add(ref x, k)) + a0;
        a0.StoreUnsafe(ref o);
    }
}
