using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MlpTrainer.Kernels;

/// <summary>
/// AVX-512 micro-kernel: a 12×32 tile of C held in 24 <see cref="Vector512{T}"/> accumulators
/// (plus 2 B vectors and 1 broadcast register: 27 of the 32 zmm registers, no spills), and a
/// 12×16 variant for the last ≤ 16 columns. Per k step it loads one 32-float row of the packed B
/// micro-panel, broadcasts each of the 12 packed A values and issues 24 FMAs. Accumulators
/// <c>loR</c> / <c>hiR</c> hold columns 0–15 / 16–31 of tile row R. 12×32 was measured at the
/// FMA peak (~210 GFLOP/s per core) and the JIT keeps all 27 vectors in registers; 8×32 and 14×32
/// were as fast in isolation, 12 rows waste less of m = 10 and 12×32 leaves the most headroom for B loads.
/// </summary>
internal readonly unsafe struct Vector512MicroKernel : IMicroKernel
{
    public static int MR => 12;

    public static int NR => 32;

    public static int NarrowNR => 16;

    /// <inheritdoc cref="IMicroKernel.Run"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, bool overwrite)
    {
        Vector512<float> lo0 = default, hi0 = default;
        Vector512<float> lo1 = default, hi1 = default;
        Vector512<float> lo2 = default, hi2 = default;
        Vector512<float> lo3 = default, hi3 = default;
        Vector512<float> lo4 = default, hi4 = default;
        Vector512<float> lo5 = default, hi5 = default;
        Vector512<float> lo6 = default, hi6 = default;
        Vector512<float> lo7 = default, hi7 = default;
        Vector512<float> lo8 = default, hi8 = default;
        Vector512<float> lo9 = default, hi9 = default;
        Vector512<float> lo10 = default, hi10 = default;
        Vector512<float> lo11 = default, hi11 = default;

        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.LoadAligned(b);
            Vector512<float> b1 = Vector512.LoadAligned(b + 16);

            Vector512<float> a0 = Vector512.Create(a[0]);
            lo0 = Vector512.FusedMultiplyAdd(a0, b0, lo0);
            hi0 = Vector512.FusedMultiplyAdd(a0, b1, hi0);
            Vector512<float> a1 = Vector512.Create(a[1]);
            lo1 = Vector512.FusedMultiplyAdd(a1, b0, lo1);
            hi1 = Vector512.FusedMultiplyAdd(a1, b1, hi1);
            Vector512<float> a2 = Vector512.Create(a[2]);
            lo2 = Vector512.FusedMultiplyAdd(a2, b0, lo2);
            hi2 = Vector512.FusedMultiplyAdd(a2, b1, hi2);
            Vector512<float> a3 = Vector512.Create(a[3]);
            lo3 = Vector512.FusedMultiplyAdd(a3, b0, lo3);
            hi3 = Vector512.FusedMultiplyAdd(a3, b1, hi3);
            Vector512<float> a4 = Vector512.Create(a[4]);
            lo4 = Vector512.FusedMultiplyAdd(a4, b0, lo4);
            hi4 = Vector512.FusedMultiplyAdd(a4, b1, hi4);
            Vector512<float> a5 = Vector512.Create(a[5]);
            lo5 = Vector512.FusedMultiplyAdd(a5, b0, lo5);
            hi5 = Vector512.FusedMultiplyAdd(a5, b1, hi5);
            Vector512<float> a6 = Vector512.Create(a[6]);
            lo6 = Vector512.FusedMultiplyAdd(a6, b0, lo6);
            hi6 = Vector512.FusedMultiplyAdd(a6, b1, hi6);
            Vector512<float> a7 = Vector512.Create(a[7]);
            lo7 = Vector512.FusedMultiplyAdd(a7, b0, lo7);
            hi7 = Vector512.FusedMultiplyAdd(a7, b1, hi7);
            Vector512<float> a8 = Vector512.Create(a[8]);
            lo8 = Vector512.FusedMultiplyAdd(a8, b0, lo8);
            hi8 = Vector512.FusedMultiplyAdd(a8, b1, hi8);
            Vector512<float> a9 = Vector512.Create(a[9]);
            lo9 = Vector512.FusedMultiplyAdd(a9, b0, lo9);
            hi9 = Vector512.FusedMultiplyAdd(a9, b1, hi9);
            Vector512<float> a10 = Vector512.Create(a[10]);
            lo10 = Vector512.FusedMultiplyAdd(a10, b0, lo10);
            hi10 = Vector512.FusedMultiplyAdd(a10, b1, hi10);
            Vector512<float> a11 = Vector512.Create(a[11]);
            lo11 = Vector512.FusedMultiplyAdd(a11, b0, lo11);
            hi11 = Vector512.FusedMultiplyAdd(a11, b1, hi11);

            a += 12;
            b += 32;
        }

        Store(c + 0 * ldc, lo0, overwrite);
        Store(c + 0 * ldc + 16, hi0, overwrite);
        Store(c + 1 * ldc, lo1, overwrite);
        Store(c + 1 * ldc + 16, hi1, overwrite);
        Store(c + 2 * ldc, lo2, overwrite);
        Store(c + 2 * ldc + 16, hi2, overwrite);
        Store(c + 3 * ldc, lo3, overwrite);
        Store(c + 3 * ldc + 16, hi3, overwrite);
        Store(c + 4 * ldc, lo4, overwrite);
        Store(c + 4 * ldc + 16, hi4, overwrite);
        Store(c + 5 * ldc, lo5, overwrite);
        Store(c + 5 * ldc + 16, hi5, overwrite);
        Store(c + 6 * ldc, lo6, overwrite);
        Store(c + 6 * ldc + 16, hi6, overwrite);
        Store(c + 7 * ldc, lo7, overwrite);
        Store(c + 7 * ldc + 16, hi7, overwrite);
        Store(c + 8 * ldc, lo8, overwrite);
        Store(c + 8 * ldc + 16, hi8, overwrite);
        Store(c + 9 * ldc, lo9, overwrite);
        Store(c + 9 * ldc + 16, hi9, overwrite);
        Store(c + 10 * ldc, lo10, overwrite);
        Store(c + 10 * ldc + 16, hi10, overwrite);
        Store(c + 11 * ldc, lo11, overwrite);
        Store(c + 11 * ldc + 16, hi11, overwrite);
    }

    /// <inheritdoc cref="IMicroKernel.RunNarrow"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunNarrow(int kc, float* a, float* b, float* c, nint ldc, bool overwrite)
    {
        Vector512<float> r0 = default, r1 = default, r2 = default, r3 = default;
        Vector512<float> r4 = default, r5 = default, r6 = default, r7 = default;
        Vector512<float> r8 = default, r9 = default, r10 = default, r11 = default;

        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.LoadAligned(b);

            r0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), b0, r0);
            r1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), b0, r1);
            r2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), b0, r2);
            r3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), b0, r3);
            r4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), b0, r4);
            r5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), b0, r5);
            r6 = Vector512.FusedMultiplyAdd(Vector512.Create(a[6]), b0, r6);
            r7 = Vector512.FusedMultiplyAdd(Vector512.Create(a[7]), b0, r7);
            r8 = Vector512.FusedMultiplyAdd(Vector512.Create(a[8]), b0, r8);
            r9 = Vector512.FusedMultiplyAdd(Vector512.Create(a[9]), b0, r9);
            r10 = Vector512.FusedMultiplyAdd(Vector512.Create(a[10]), b0, r10);
            r11 = Vector512.FusedMultiplyAdd(Vector512.Create(a[11]), b0, r11);

            a += 12;
            b += 16;
        }

        Store(c + 0 * ldc, r0, overwrite);
        Store(c + 1 * ldc, r1, overwrite);
        Store(c + 2 * ldc, r2, overwrite);
        Store(c + 3 * ldc, r3, overwrite);
        Store(c + 4 * ldc, r4, overwrite);
        Store(c + 5 * ldc, r5, overwrite);
        Store(c + 6 * ldc, r6, overwrite);
        Store(c + 7 * ldc, r7, overwrite);
        Store(c + 8 * ldc, r8, overwrite);
        Store(c + 9 * ldc, r9, overwrite);
        Store(c + 10 * ldc, r10, overwrite);
        Store(c + 11 * ldc, r11, overwrite);
    }

    /// <summary>Writes <paramref name="acc"/> to C, or adds it to C: <c>C = C + acc</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector512<float> acc, bool overwrite)
    {
        if (overwrite)
        {
            acc.Store(c);
        }
        else
        {
            (Vector512.Load(c) + acc).Store(c);
        }
    }
}
