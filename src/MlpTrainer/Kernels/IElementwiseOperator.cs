using System.Runtime.Intrinsics;

namespace MlpTrainer.Kernels;

/// <summary>
/// One elementwise operation y = f(x, p, s) — x the value updated in place, p a second array read alongside,
/// s one scalar for all elements — written once for each vector width, so that <see cref="ElementwiseKernel"/>
/// runs it with the widest vectors the CPU has and a scalar tail. Implementations are structs, which the JIT
/// specialises and inlines.
/// </summary>
internal interface IElementwiseOperator
{
    float Invoke(float x, float p, float s);

    Vector256<float> Invoke(Vector256<float> x, Vector256<float> p, Vector256<float> s);

    Vector512<float> Invoke(Vector512<float> x, Vector512<float> p, Vector512<float> s);
}
