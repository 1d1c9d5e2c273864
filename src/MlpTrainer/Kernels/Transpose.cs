namespace MlpTrainer.Kernels;

/// <summary>Whether a GEMM operand is used as stored (<see cref="No"/>) or transposed (<see cref="Yes"/>).</summary>
internal enum Transpose
{
    /// <summary>op(X) = X.</summary>
    No,

    /// <summary>op(X) = Xᵀ.</summary>
    Yes,
}
