using System;
using System.Runtime.CompilerServices;

namespace MlpTrainer.Kernels;

/// <summary>
/// The BLIS/GotoBLAS loop nest around a micro-kernel, for one rectangle of C owned by one thread:
/// <code>
/// for jc over columns, step NC            // packed B block KC×NC
///   for each K block (k0, kc), increasing // rounding point: C = C + block sum
///     pack op(B)[k0.., jc..]
///     for ic over rows, step MC           // packed A block MC×KC (L2)
///       pack op(A)[ic.., k0..]
///       for jr over B micro-panels        // KC×NR panel stays in L1
///         for ir over A micro-panels      // MR×KC panel streams from L2
///           micro-kernel → MR×NR tile of C
/// </code>
/// </summary>
internal static unsafe class GemmDriver
{
    /// <summary>Computes rows [rowStart, rowEnd) × columns [colStart, colEnd) of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute<TKernel>(in GemmProblem problem, GemmWorkspace workspace, int rowStart, int rowEnd, int colStart, int colEnd)
        where TKernel : struct, IMicroKernel
    {
        int k = problem.K;
        int kBlock = GemmBlocking.KBlockLength(k);

        for (int jc = colStart; jc < colEnd; jc += GemmBlocking.Nc)
        {
            int nc = Math.Min(GemmBlocking.Nc, colEnd - jc);

            for (int k0 = 0; k0 < k; k0 += kBlock)
            {
                int kc = Math.Min(kBlock, k - k0);
                bool overwrite = k0 == 0 && !problem.Accumulate;
                GemmPacking.PackB<TKernel>(problem, k0, kc, jc, nc, workspace.PackedB);

                for (int ic = rowStart; ic < rowEnd; ic += GemmBlocking.Mc)
                {
                    int mc = Math.Min(GemmBlocking.Mc, rowEnd - ic);
                    GemmPacking.PackA<TKernel>(problem, ic, mc, k0, kc, workspace.PackedA);
                    MacroKernel<TKernel>(problem, workspace, ic, mc, jc, nc, kc, overwrite);
                }
            }
        }
    }

    /// <summary>Runs the micro-kernel over every tile of the packed mc × nc block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MacroKernel<TKernel>(in GemmProblem problem, GemmWorkspace workspace, int ic, int mc, int jc, int nc, int kc, bool overwrite)
        where TKernel : struct, IMicroKernel
    {
        nint ldc = problem.Ldc;
        int mr = TKernel.MR;

        for (int jr = 0; jr < nc;)
        {
            int width = GemmPacking.PanelWidth<TKernel>(nc - jr);
            int cols = Math.Min(width, nc - jr);
            bool narrow = width != TKernel.NR;
            float* bPanel = workspace.PackedB + (nint)jr * kc;

            for (int ir = 0; ir < mc; ir += mr)
            {
                int rows = Math.Min(mr, mc - ir);
                float* aPanel = workspace.PackedA + (nint)ir * kc;
                float* cTile = problem.C + (ic + ir) * ldc + jc + jr;

                if (rows == mr && cols == width)
                {
                    RunKernel<TKernel>(narrow, kc, aPanel, bPanel, cTile, ldc, overwrite);
                }
                else
                {
                    // Edge tile: compute the full tile into scratch, then write back only the valid part.
                    float* tile = workspace.Tile;
                    RunKernel<TKernel>(narrow, kc, aPanel, bPanel, tile, TKernel.NR, overwrite: true);
                    WriteBack(tile, TKernel.NR, cTile, ldc, rows, cols, overwrite);
                }
            }

            jr += width;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunKernel<TKernel>(bool narrow, int kc, float* a, float* b, float* c, nint ldc, bool overwrite)
        where TKernel : struct, IMicroKernel
    {
        if (narrow)
        {
            TKernel.RunNarrow(kc, a, b, c, ldc, overwrite);
        }
        else
        {
            TKernel.Run(kc, a, b, c, ldc, overwrite);
        }
    }

    /// <summary>Stores (or adds, <c>C = C + acc</c>) the valid rows × cols corner of a scratch tile into C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteBack(float* tile, nint tileStride, float* c, nint ldc, int rows, int cols, bool overwrite)
    {
        for (int i = 0; i < rows; i++)
        {
            float* from = tile + i * tileStride;
            float* to = c + i * ldc;
            if (overwrite)
            {
                Unsafe.CopyBlockUnaligned(to, from, (uint)(cols * sizeof(float)));
            }
            else
            {
                for (int j = 0; j < cols; j++)
                {
                    to[j] = to[j] + from[j];
                }
            }
        }
    }
}
