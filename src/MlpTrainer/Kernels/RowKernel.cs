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

    /// <summary>
    /// row[i] = e^row[i], exactly as System.Numerics.Tensors 10's <c>Exp</c> gives it (see <see cref="Map{TFunction}"/>): the
    /// runtime's vector exponential (<c>Vector128/256/512.Exp</c>, which that package calls too) for a row of at least
    /// one 128-bit vector, <see cref="MathF.Exp"/> for a shorter one. The vector exponential lives in the runtime's own
    /// precompiled library, so unlike the package's generic loop this runs optimised from the first row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Exp(Span<float> row) => Map<ExpFunction>(row);

    /// <summary>row[i] = 1 / (1 + e^−row[i]), exactly as System.Numerics.Tensors' <c>Sigmoid</c> gives it, with <see cref="Exp"/>'s exponential.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sigmoid(Span<float> row) => Map<SigmoidFunction>(row);

    /// <summary>
    /// row[i] = tanh(row[i]), exactly as System.Numerics.Tensors' <c>Tanh</c> gives it: from <see cref="Exp"/>'s
    /// exponential for a row of at least one 128-bit vector, <see cref="MathF.Tanh"/> for a shorter one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tanh(Span<float> row) => Map<TanhFunction>(row);

    /// <summary>
    /// row[i] = f(row[i]) with the dispatch System.Numerics.Tensors uses for its element-wise functions, so the results
    /// are its results to the bit: the widest accelerated vectors the row fills at least once, the last vector
    /// overlapping the one before it rather than a scalar tail, and scalar code only for a row shorter than one 128-bit
    /// vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Map<TFunction>(Span<float> row)
        where TFunction : struct, IVectorFunction
    {
        TFunction f = default;
        int n = row.Length;
        ref float x = ref MemoryMarshal.GetReference(row);
        // In each vector branch the last vector's inputs are read before the loop stores anything, so the elements it
        // shares with the last whole vector are computed from their inputs both times.
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            Vector512<float> tail = Vector512.LoadUnsafe(ref x, (nuint)(n - Vector512<float>.Count));
            int i = 0;
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                f.Invoke(Vector512.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref x, (nuint)i);
            if (i < n)
                f.Invoke(tail).StoreUnsafe(ref x, (nuint)(n - Vector512<float>.Count));
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            Vector256<float> tail = Vector256.LoadUnsafe(ref x, (nuint)(n - Vector256<float>.Count));
            int i = 0;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                f.Invoke(Vector256.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref x, (nuint)i);
            if (i < n)
                f.Invoke(tail).StoreUnsafe(ref x, (nuint)(n - Vector256<float>.Count));
        }
        else if (Vector128.IsHardwareAccelerated && n >= Vector128<float>.Count)
        {
            Vector128<float> tail = Vector128.LoadUnsafe(ref x, (nuint)(n - Vector128<float>.Count));
            int i = 0;
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
                f.Invoke(Vector128.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref x, (nuint)i);
            if (i < n)
                f.Invoke(tail).StoreUnsafe(ref x, (nuint)(n - Vector128<float>.Count));
        }
        else
        {
            for (int j = 0; j < n; j++)
                Unsafe.Add(ref x, j) = f.Invoke(Unsafe.Add(ref x, j));
        }
    }

    internal readonly struct ExpFunction : IVectorFunction
    {
        public float Invoke(float x) => MathF.Exp(x);
        public Vector128<float> Invoke(Vector128<float> x) => Vector128.Exp(x);
        public Vector256<float> Invoke(Vector256<float> x) => Vector256.Exp(x);
        public Vector512<float> Invoke(Vector512<float> x) => Vector512.Exp(x);
    }

    /// <summary>
    /// tanh x = sign(x)·(1 − e^(−2|x|)) / (1 + e^(−2|x|)), computed as −z / (z + 2) with z = e^(−2|x|) − 1, then x's
    /// sign bit flipped into the result, as the Tensors package does: on the vector paths tanh(+0) is −0 and tanh(−0) is
    /// +0 (rows shorter than one vector use <see cref="MathF.Tanh"/>, which keeps the sign of zero).
    /// </summary>
    internal readonly struct TanhFunction : IVectorFunction
    {
        private const uint SignBit = 0x8000_0000;

        public float Invoke(float x) => MathF.Tanh(x);

        public Vector128<float> Invoke(Vector128<float> x)
        {
            Vector128<float> z = Vector128.Exp(Vector128.Create(-2f) * Vector128.Abs(x)) - Vector128<float>.One;
            return ((x.AsUInt32() & Vector128.Create(SignBit)) ^ (-z / (z + Vector128.Create(2f))).AsUInt32()).AsSingle();
        }

        public Vector256<float> Invoke(Vector256<float> x)
        {
            Vector256<float> z = Vector256.Exp(Vector256.Create(-2f) * Vector256.Abs(x)) - Vector256<float>.One;
            return ((x.AsUInt32() & Vector256.Create(SignBit)) ^ (-z / (z + Vector256.Create(2f))).AsUInt32()).AsSingle();
        }

        public Vector512<float> Invoke(Vector512<float> x)
        {
            Vector512<float> z = Vector512.Exp(Vector512.Create(-2f) * Vector512.Abs(x)) - Vector512<float>.One;
            return ((x.AsUInt32() & Vector512.Create(SignBit)) ^ (-z / (z + Vector512.Create(2f))).AsUInt32()).AsSingle();
        }
    }

    internal readonly struct SigmoidFunction : IVectorFunction
    {
        public float Invoke(float x) => 1f / (1f + MathF.Exp(-x));
        public Vector128<float> Invoke(Vector128<float> x) => Vector128<float>.One / (Vector128<float>.One + Vector128.Exp(-x));
        public Vector256<float> Invoke(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-x));
        public Vector512<float> Invoke(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-x));
    }

    /// <summary>
    /// accumulator[i] += x[i] · scale, rounded after the product and after the sum (no fused multiply-add), as
    /// System.Numerics.Tensors 10's <c>MultiplyAdd(x, scale, accumulator, accumulator)</c> gives it: the same value for
    /// every element (a NaN result may carry the other operand's NaN payload).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyAdd(ReadOnlySpan<float> x, float scale, Span<float> accumulator)
    {
        int n = x.Length;
        if (accumulator.Length != n)
            throw new ArgumentException($"The accumulator has {accumulator.Length} values; x has {n}.", nameof(accumulator));
        ref float a = ref MemoryMarshal.GetReference(accumulator);
        ref float xs = ref MemoryMarshal.GetReference(x);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var s = Vector512.Create(scale);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                (Vector512.LoadUnsafe(ref xs, (nuint)i) * s + Vector512.LoadUnsafe(ref a, (nuint)i)).StoreUnsafe(ref a, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(scale);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                (Vector256.LoadUnsafe(ref xs, (nuint)i) * s + Vector256.LoadUnsafe(ref a, (nuint)i)).StoreUnsafe(ref a, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var s = Vector128.Create(scale);
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
                (Vector128.LoadUnsafe(ref xs, (nuint)i) * s + Vector128.LoadUnsafe(ref a, (nuint)i)).StoreUnsafe(ref a, (nuint)i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref a, i) = Unsafe.Add(ref xs, i) * scale + Unsafe.Add(ref a, i);
    }

    /// <summary>
    /// The largest absolute value (|System.Numerics.Tensors' <c>MaxMagnitude</c>|): NaN when a value is NaN, 0 for an empty
    /// span. Absolute values compare as their bit patterns (sign bit cleared), which order like the values, with every
    /// NaN above infinity; so an integer maximum gives the answer exactly, vector by vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float LargestMagnitude(ReadOnlySpan<float> values)
    {
        ref int x = ref Unsafe.As<float, int>(ref MemoryMarshal.GetReference(values));
        int n = values.Length, i = 0, largest = 0;
        const int magnitude = 0x7FFF_FFFF;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<int>.Count)
        {
            Vector512<int> mask = Vector512.Create(magnitude), best = Vector512<int>.Zero;
            for (; i <= n - Vector512<int>.Count; i += Vector512<int>.Count)
                best = Vector512.Max(best, Vector512.LoadUnsafe(ref x, (nuint)i) & mask);
            for (int k = 0; k < Vector512<int>.Count; k++)
                largest = Math.Max(largest, best.GetElement(k));
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<int>.Count)
        {
            Vector256<int> mask = Vector256.Create(magnitude), best = Vector256<int>.Zero;
            for (; i <= n - Vector256<int>.Count; i += Vector256<int>.Count)
                best = Vector256.Max(best, Vector256.LoadUnsafe(ref x, (nuint)i) & mask);
            for (int k = 0; k < Vector256<int>.Count; k++)
                largest = Math.Max(largest, best.GetElement(k));
        }
        for (; i < n; i++)
            largest = Math.Max(largest, Unsafe.Add(ref x, i) & magnitude);
        float result = BitConverter.Int32BitsToSingle(largest);
        return float.IsNaN(result) ? float.NaN : result;
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
