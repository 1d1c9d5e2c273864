namespace MlpTrainer.Kernels;

/// <summary>
/// Which micro-kernel family a <see cref="GemmEngine"/> uses. All paths produce bit-identical results
/// (see the determinism contract on <see cref="GemmEngine"/>); they differ only in speed.
/// </summary>
internal enum GemmPath
{
    /// <summary>Pick the fastest path the hardware supports (Vector512, then Vector256 with FMA, then Scalar).</summary>
    Auto,

    /// <summary>12×32 micro-kernel on 512-bit vectors (requires AVX-512F).</summary>
    Vector512,

    /// <summary>6×16 micro-kernel on 256-bit vectors (requires AVX2-class vectors and FMA).</summary>
    Vector256,

    /// <summary>4×4 micro-kernel on scalars using <see cref="System.MathF.FusedMultiplyAdd"/>; runs anywhere.</summary>
    Scalar,
}
