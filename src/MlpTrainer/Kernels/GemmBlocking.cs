namespace MlpTrainer.Kernels;

/// <summary>
/// Cache-blocking sizes of the GEMM loop nest, shared by every micro-kernel path.
/// </summary>
/// <remarks>
/// <para>The K dimension is cut into blocks of equal length (the last may be shorter) of at most
/// <see cref="MaxKc"/>. The cut depends only on k, never on the path or the thread count, because
/// each block boundary is a rounding point of the result (see the determinism contract on
/// <see cref="GemmEngine"/>).</para>
/// <para>Sizes are tuned for an L1d of 48 KiB and an L2 of 1–2 MiB per core (measured on the
/// 2-core AMD EPYC Zen 5 VM; KC from 192 to 384 and MC from 96 to 480 were within noise of each
/// other): a packed B micro-panel (KC × 32 floats = 32 KiB at KC = 256) stays in L1 while it is
/// reused for every A micro-panel, the packed A block (MC × KC = 240 KiB) stays in L2, and the
/// packed B block (KC × NC, 2 MiB) lives in L2/L3. KC = 256 also keeps the MLP's k = 256 and
/// k = 128 products in one K block and cuts k = 784 into four blocks of 196.</para>
/// </remarks>
internal static class GemmBlocking
{
    /// <summary>Upper bound of a K block (KC).</summary>
    public const int MaxKc = 256;

    /// <summary>Rows of op(A) packed at a time (MC); a multiple of every kernel's MR.</summary>
    public const int Mc = 240;

    /// <summary>Columns of op(B) packed at a time (NC); a multiple of every kernel's NR.</summary>
    public const int Nc = 2048;

    /// <summary>
    /// Length of the K blocks for a product with inner dimension <paramref name="k"/> (k &gt; 0):
    /// blocks are [0, L), [L, 2L), … with the last one possibly shorter.
    /// </summary>
    public static int KBlockLength(int k)
    {
        int blocks = (k + MaxKc - 1) / MaxKc;
        return (k + blocks - 1) / blocks;
    }
}
