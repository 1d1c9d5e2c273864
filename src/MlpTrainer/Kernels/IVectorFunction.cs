using System.Runtime.Intrinsics;

namespace MlpTrainer.Kernels;

/// <summary>
/// A function of one value, y = f(x), written once for scalars and each vector width, for <see cref="RowKernel"/>'s
/// row maps. The vector forms must give, lane by lane, the same value at every width (for the exponential-based
/// functions here they call the runtime's <c>Vector128/256/512.Exp</c>, one function at every width).
/// Implementations are structs, which the JIT specialises and inlines.
/// </summary>
internal interface IVectorFunction
{
    float Invoke(float x);

    Vector128<float> Invoke(Vector128<float> x);

    Vector256<float> Invoke(Vector256<float> x);

    Vector512<float> Invoke(Vector512<float> x);
}
