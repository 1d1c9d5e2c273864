namespace MlpTrainer.Kernels;

/// <summary>
/// A register-blocked GEMM micro-kernel: computes one <c>MR × width</c> tile of C from one packed A
/// micro-panel and one packed B micro-panel over a single K block.
/// </summary>
/// <remarks>
/// <para>Packed A micro-panel: <c>kc</c> groups of <see cref="MR"/> floats; element (row r, step p) is at
/// <c>a[p * MR + r]</c>. Packed B micro-panel of width w (<see cref="NR"/> or <see cref="NarrowNR"/>):
/// element (step p, column j) is at <c>b[p * w + j]</c>, and the panel is 64-byte aligned.</para>
/// <para>Every implementation must, for each tile element, start from an accumulator of +0, apply
/// <c>acc = fma(a[r,p], b[p,j], acc)</c> for p = 0, 1, …, kc-1 in that order, and then store
/// <c>acc</c> (when <c>overwrite</c>) or <c>C + acc</c>. This is what makes all paths bit-identical.</para>
/// <para>Implemented by structs so that generic callers are specialised and the calls inlined.</para>
/// </remarks>
internal unsafe interface IMicroKernel
{
    /// <summary>Rows of C computed per call (height of a packed A micro-panel).</summary>
    static abstract int MR { get; }

    /// <summary>Columns of C computed per call of <see cref="Run"/> (width of a full packed B micro-panel).</summary>
    static abstract int NR { get; }

    /// <summary>
    /// Width of the narrower B micro-panel used for the last columns when at most this many remain
    /// (equal to <see cref="NR"/> for kernels without a narrow variant).
    /// </summary>
    static abstract int NarrowNR { get; }

    /// <summary>Computes an <c>MR × NR</c> tile. <paramref name="c"/> points at its top-left element, rows are <paramref name="ldc"/> floats apart.</summary>
    static abstract void Run(int kc, float* a, float* b, float* c, nint ldc, bool overwrite);

    /// <summary>Computes an <c>MR × NarrowNR</c> tile; same contract as <see cref="Run"/>.</summary>
    static abstract void RunNarrow(int kc, float* a, float* b, float* c, nint ldc, bool overwrite);
}
