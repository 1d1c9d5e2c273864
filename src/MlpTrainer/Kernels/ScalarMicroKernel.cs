using System;

namespace MlpTrainer.Kernels;

/// <summary>
/// Portable 4×4 micro-kernel on scalars. Uses <see cref="MathF.FusedMultiplyAdd"/>, which is exactly
/// rounded on every platform, so it produces the same bits as the vector kernels.
/// </summary>
internal readonly unsafe struct ScalarMicroKernel : IMicroKernel
{
    public static int MR => 4;

    public static int NR => 4;

    public static int NarrowNR => 4;

    /// <inheritdoc cref="IMicroKernel.Run"/>
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, bool overwrite)
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        float c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        float c30 = 0, c31 = 0, c32 = 0, c33 = 0;

        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];

            float a0 = a[0];
            c00 = MathF.FusedMultiplyAdd(a0, b0, c00);
            c01 = MathF.FusedMultiplyAdd(a0, b1, c01);
            c02 = MathF.FusedMultiplyAdd(a0, b2, c02);
            c03 = MathF.FusedMultiplyAdd(a0, b3, c03);

            float a1 = a[1];
            c10 = MathF.FusedMultiplyAdd(a1, b0, c10);
            c11 = MathF.FusedMultiplyAdd(a1, b1, c11);
            c12 = MathF.FusedMultiplyAdd(a1, b2, c12);
            c13 = MathF.FusedMultiplyAdd(a1, b3, c13);

            float a2 = a[2];
            c20 = MathF.FusedMultiplyAdd(a2, b0, c20);
            c21 = MathF.FusedMultiplyAdd(a2, b1, c21);
            c22 = MathF.FusedMultiplyAdd(a2, b2, c22);
            c23 = MathF.FusedMultiplyAdd(a2, b3, c23);

            float a3 = a[3];
            c30 = MathF.FusedMultiplyAdd(a3, b0, c30);
            c31 = MathF.FusedMultiplyAdd(a3, b1, c31);
            c32 = MathF.FusedMultiplyAdd(a3, b2, c32);
            c33 = MathF.FusedMultiplyAdd(a3, b3, c33);

            a += 4;
            b += 4;
        }

        StoreRow(c, c00, c01, c02, c03, overwrite);
        StoreRow(c + ldc, c10, c11, c12, c13, overwrite);
        StoreRow(c + 2 * ldc, c20, c21, c22, c23, overwrite);
        StoreRow(c + 3 * ldc, c30, c31, c32, c33, overwrite);
    }

    /// <inheritdoc cref="IMicroKernel.RunNarrow"/>
    public static void RunNarrow(int kc, float* a, float* b, float* c, nint ldc, bool overwrite) =>
        Run(kc, a, b, c, ldc, overwrite);

    /// <summary>Writes one accumulator row to C, or adds it to C: <c>C = C + acc</c>.</summary>
    private static void StoreRow(float* c, float x0, float x1, float x2, float x3, bool overwrite)
    {
        if (overwrite)
        {
            c[0] = x0;
            c[1] = x1;
            c[2] = x2;
            c[3] = x3;
        }
        else
        {
            c[0] = c[0] + x0;
            c[1] = c[1] + x1;
            c[2] = c[2] + x2;
            c[3] = c[3] + x3;
        }
    }
}
