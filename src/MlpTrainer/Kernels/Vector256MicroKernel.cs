using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MlpTrainer.Kernels;

/// <summary>
/// 256-bit micro-kernel for AVX2 + FMA machines: a 6×16 tile of C in 12 <see cref="Vector256{T}"/>
/// accumulators (plus 2 B vectors and 1 broadcast: 15 of the 16 ymm registers of plain AVX2).
/// </summary>
internal readonly unsafe struct Vector256MicroKernel : IMicroKernel
{
    public static int MR => 6;

    public static int NR => 16;

    public static int NarrowNR => 16;

    /// <inheritdoc cref="IMicroKernel.Run"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, bool overwrite)
    {
        Vector256<float> lo0 = default, hi0 = default;
        Vector256<float> lo1 = default, hi1 = default;
        Vector256<float> lo2 = default, hi2 = default;
        Vector256<float> lo3 = default, hi3 = default;
        Vector256<float> lo4 = default, hi4 = default;
        Vector256<float> lo5 = default, hi5 = default;

        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.LoadAligned(b);
            Vector256<float> b1 = Vector256.LoadAligned(b + 8);

            Vector256<float> a0 = Vector256.Create(a[0]);
            lo0 = Vector256.FusedMultiplyAdd(a0, b0, lo0);
            hi0 = Vector256.FusedMultiplyAdd(a0, b1, hi0);
            Vector256<float> a1 = Vector256.Create(a[1]);
            lo1 = Vector256.FusedMultiplyAdd(a1, b0, lo1);
            hi1 = Vector256.FusedMultiplyAdd(a1, b1, hi1);
            Vector256<float> a2 = Vector256.Create(a[2]);
            lo2 = Vector256.FusedMultiplyAdd(a2, b0, lo2);
            hi2 = Vector256.FusedMultiplyAdd(a2, b1, hi2);
            Vector256<float> a3 = Vector256.Create(a[3]);
            lo3 = Vector256.FusedMultiplyAdd(a3, b0, lo3);
            hi3 = Vector256.FusedMultiplyAdd(a3, b1, hi3);
            Vector256<float> a4 = Vector256.Create(a[4]);
            lo4 = Vector256.FusedMultiplyAdd(a4, b0, lo4);
            hi4 = Vector256.FusedMultiplyAdd(a4, b1, hi4);
            Vector256<float> a5 = Vector256.Create(a[5]);
            lo5 = Vector256.FusedMultiplyAdd(a5, b0, lo5);
            hi5 = Vector256.FusedMultiplyAdd(a5, b1, hi5);

            a += 6;
            b += 16;
        }

        Store(c + 0 * ldc, lo0, overwrite);
        Store(c + 0 * ldc + 8, hi0, overwrite);
        Store(c + 1 * ldc, lo1, overwrite);
        Store(c + 1 * ldc + 8, hi1, overwrite);
        Store(c + 2 * ldc, lo2, overwrite);
        Store(c + 2 * ldc + 8, hi2, overwrite);
        Store(c + 3 * ldc, lo3, overwrite);
        Store(c + 3 * ldc + 8, hi3, overwrite);
        Store(c + 4 * ldc, lo4, overwrite);
        Store(c + 4 * ldc + 8, hi4, overwrite);
        Store(c + 5 * ldc, lo5, overwrite);
        Store(c + 5 * ldc + 8, hi5, overwrite);
    }

    /// <inheritdoc cref="IMicroKernel.RunNarrow"/>
    public static void RunNarrow(int kc, float* a, float* b, float* c, nint ldc, bool overwrite) =>
        Run(kc, a, b, c, ldc, overwrite);

    /// <summary>Writes <paramref name="acc"/> to C, or adds it to C: <c>C = C + acc</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector256<float> acc, bool overwrite)
    {
        if (overwrite)
        {
            acc.Store(c);
        }
        else
        {
            (Vector256.Load(c) + acc).Store(c);
        }
    }
}
