using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlpTrainer.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the contiguous micro-panel layouts read by the
/// micro-kernels (see <see cref="IMicroKernel"/>). Transposition is resolved here, so every
/// transpose combination runs the same micro-kernel. Panel cells past the matrix edge are zero.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs rows [i0, i0+mc) × columns [k0, k0+kc) of op(A) as ceil(mc/MR) micro-panels, panel r
    /// starting at <c>dst + r·MR·kc</c>, element (row i, step p) of a panel at <c>[p·MR + i]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<TKernel>(in GemmProblem problem, int i0, int mc, int k0, int kc, float* dst)
        where TKernel : struct, IMicroKernel
    {
        int mr = TKernel.MR;
        nint lda = problem.Lda;

        for (int ip = 0; ip < mc; ip += mr)
        {
            int rows = Math.Min(mr, mc - ip);
            float* panel = dst + (nint)ip * kc;

            if (problem.TransA == Transpose.No)
            {
                // op(A)[i, p] = A[i, p]: the panel is the transpose of a rows × kc block of stored A.
                TransposeCopy(problem.A + (i0 + ip) * lda + k0, lda, rows, kc, panel, mr);
            }
            else
            {
                // op(A)[i, p] = A[p, i]: each step p reads MR contiguous floats of stored row k0 + p.
                CopyRows(problem.A + k0 * lda + i0 + ip, lda, kc, rows, mr, panel);
            }

            if (rows < mr)
            {
                ZeroColumns(panel, kc, mr, rows);
            }
        }
    }

    /// <summary>
    /// Packs rows [k0, k0+kc) × columns [j0, j0+nc) of op(B) as micro-panels of width NR (the last
    /// one of width NarrowNR when at most that many columns remain). The panel holding column jp
    /// starts at <c>dst + jp·kc</c>; element (step p, column j) of a width-w panel is at <c>[p·w + j]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<TKernel>(in GemmProblem problem, int k0, int kc, int j0, int nc, float* dst)
        where TKernel : struct, IMicroKernel
    {
        nint ldb = problem.Ldb;

        for (int jp = 0; jp < nc;)
        {
            int width = PanelWidth<TKernel>(nc - jp);
            int cols = Math.Min(width, nc - jp);
            float* panel = dst + (nint)jp * kc;

            if (problem.TransB == Transpose.No)
            {
                // op(B)[p, j] = B[p, j]: each step p copies a contiguous run of stored row k0 + p.
                CopyRows(problem.B + k0 * ldb + j0 + jp, ldb, kc, cols, width, panel);
            }
            else
            {
                // op(B)[p, j] = B[j, p]: the panel is the transpose of a cols × kc block of stored B.
                TransposeCopy(problem.B + (j0 + jp) * ldb + k0, ldb, cols, kc, panel, width);
            }

            if (cols < width)
            {
                ZeroColumns(panel, kc, width, cols);
            }

            jp += width;
        }
    }

    /// <summary>Width of the B micro-panel that starts where <paramref name="remaining"/> columns are left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PanelWidth<TKernel>(int remaining)
        where TKernel : struct, IMicroKernel =>
        remaining <= TKernel.NarrowNR ? TKernel.NarrowNR : TKernel.NR;

    /// <summary>
    /// Copies <paramref name="rows"/> rows of <paramref name="cols"/> floats (source row stride
    /// <paramref name="srcStride"/>) into a panel with row stride <paramref name="width"/>. Full-width
    /// rows are copied with a size the JIT knows (width is a kernel constant), so it emits plain vector moves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRows(float* src, nint srcStride, int rows, int cols, int width, float* dst)
    {
        if (cols == width)
        {
            for (int p = 0; p < rows; p++)
            {
                Unsafe.CopyBlockUnaligned(dst + p * width, src + p * srcStride, (uint)(width * sizeof(float)));
            }
        }
        else
        {
            for (int p = 0; p < rows; p++)
            {
                Unsafe.CopyBlockUnaligned(dst + p * width, src + p * srcStride, (uint)(cols * sizeof(float)));
            }
        }
    }

    /// <summary>
    /// Writes the transpose of the rows × cols block at <paramref name="src"/> (row stride
    /// <paramref name="srcStride"/>) to <paramref name="dst"/> (row stride <paramref name="dstStride"/>):
    /// <c>dst[c·dstStride + r] = src[r·srcStride + c]</c>. Works in 8×8 and 4×4 register tiles where
    /// the hardware allows, element by element at the ragged edges.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeCopy(float* src, nint srcStride, int rows, int cols, float* dst, nint dstStride)
    {
        int r = 0;
        if (Avx.IsSupported)
        {
            for (; r + 8 <= rows; r += 8)
            {
                int c = 0;
                for (; c + 8 <= cols; c += 8)
                {
                    Transpose8x8(src + r * srcStride + c, srcStride, dst + c * dstStride + r, dstStride);
                }

                TransposeScalar(src + r * srcStride + c, srcStride, 8, cols - c, dst + c * dstStride + r, dstStride);
            }
        }

        if (Sse.IsSupported)
        {
            for (; r + 4 <= rows; r += 4)
            {
                int c = 0;
                for (; c + 4 <= cols; c += 4)
                {
                    Transpose4x4(src + r * srcStride + c, srcStride, dst + c * dstStride + r, dstStride);
                }

                TransposeScalar(src + r * srcStride + c, srcStride, 4, cols - c, dst + c * dstStride + r, dstStride);
            }
        }

        TransposeScalar(src + r * srcStride, srcStride, rows - r, cols, dst + r, dstStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeScalar(float* src, nint srcStride, int rows, int cols, float* dst, nint dstStride)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                dst[c * dstStride + r] = src[r * srcStride + c];
            }
        }
    }

    /// <summary>8×8 transpose in AVX registers: unpack pairs of rows, shuffle pairs of pairs, swap 128-bit halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint srcStride, float* dst, nint dstStride)
    {
        Vector256<float> r0 = Avx.LoadVector256(src);
        Vector256<float> r1 = Avx.LoadVector256(src + srcStride);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * srcStride);
        Vector256<float> r3 = Avx.LoadVector256(src + 3 * srcStride);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * srcStride);
        Vector256<float> r5 = Avx.LoadVector256(src + 5 * srcStride);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * srcStride);
        Vector256<float> r7 = Avx.LoadVector256(src + 7 * srcStride);

        // t0 = r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5], and so on.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        // s0 = r0[0] r1[0] r2[0] r3[0] | r0[4] r1[4] r2[4] r3[4], and so on.
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(s3, s7, 0x31));
    }

    /// <summary>4×4 transpose in SSE registers (the classic unpack / move-halves sequence).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(float* src, nint srcStride, float* dst, nint dstStride)
    {
        Vector128<float> r0 = Sse.LoadVector128(src);
        Vector128<float> r1 = Sse.LoadVector128(src + srcStride);
        Vector128<float> r2 = Sse.LoadVector128(src + 2 * srcStride);
        Vector128<float> r3 = Sse.LoadVector128(src + 3 * srcStride);

        Vector128<float> t0 = Sse.UnpackLow(r0, r1), t1 = Sse.UnpackLow(r2, r3);
        Vector128<float> t2 = Sse.UnpackHigh(r0, r1), t3 = Sse.UnpackHigh(r2, r3);

        Sse.Store(dst, Sse.MoveLowToHigh(t0, t1));
        Sse.Store(dst + dstStride, Sse.MoveHighToLow(t1, t0));
        Sse.Store(dst + 2 * dstStride, Sse.MoveLowToHigh(t2, t3));
        Sse.Store(dst + 3 * dstStride, Sse.MoveHighToLow(t3, t2));
    }

    /// <summary>Zeroes columns [from, width) of each of the <paramref name="rows"/> rows of a panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ZeroColumns(float* panel, int rows, int width, int from)
    {
        for (int p = 0; p < rows; p++)
        {
            Unsafe.InitBlockUnaligned(panel + p * width + from, 0, (uint)((width - from) * sizeof(float)));
        }
    }
}
