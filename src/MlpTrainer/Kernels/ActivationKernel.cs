using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MlpTrainer.Kernels;

/// <summary>
/// The hidden-layer activations: the forward pass fused with the bias add, and the backward pass fused with the
/// derivative, which every activation here can compute from its output a = f(z) alone.
/// </summary>
internal static class ActivationKernel
{
    /// <summary>f(z + bias) on each of the <paramref name="rows"/> rows of <paramref name="z"/> (row-major, as wide as <paramref name="bias"/>).</summary>
    public static void AddBiasAndActivateRows(MlpActivation activation, float leakySlope, Span<float> z, int rows, ReadOnlySpan<float> bias)
    {
        int width = bias.Length;
        for (int r = 0; r < rows; r++)
            AddBiasAndActivate(activation, leakySlope, z.Slice(r * width, width), bias);
    }

    /// <summary>row[j] = f(row[j] + bias[j]) for one row of pre-activations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddBiasAndActivate(MlpActivation activation, float leakySlope, Span<float> row, ReadOnlySpan<float> bias)
    {
        switch (activation)
        {
            case MlpActivation.Identity:
                ElementwiseKernel.Apply<AddBias>(row, bias, 0f);
                break;
            case MlpActivation.ReLU:
                ElementwiseKernel.Apply<AddBiasReLU>(row, bias, 0f);
                break;
            case MlpActivation.LeakyReLU:
                ElementwiseKernel.Apply<AddBiasLeakyReLU>(row, bias, leakySlope);
                break;
            case MlpActivation.Sigmoid:
                ElementwiseKernel.Apply<AddBias>(row, bias, 0f);
                RowKernel.Sigmoid(row);
                break;
            case MlpActivation.Tanh:
                ElementwiseKernel.Apply<AddBias>(row, bias, 0f);
                RowKernel.Tanh(row);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>
    /// gradient[i] *= f'(z[i]), with the derivative written in terms of the activation's output
    /// <paramref name="activated"/>[i] = f(z[i]). Turns ∂L/∂a into ∂L/∂z.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyByDerivative(MlpActivation activation, float leakySlope, Span<float> gradient, ReadOnlySpan<float> activated)
    {
        switch (activation)
        {
            case MlpActivation.Identity:
                if (activated.Length != gradient.Length)
                    throw new ArgumentException("The activation and gradient spans differ in length.", nameof(activated));
                break;
            case MlpActivation.ReLU:
                ElementwiseKernel.Apply<ReLUDerivative>(gradient, activated, 0f);
                break;
            case MlpActivation.LeakyReLU:
                ElementwiseKernel.Apply<LeakyReLUDerivative>(gradient, activated, leakySlope);
                break;
            case MlpActivation.Sigmoid:
                ElementwiseKernel.Apply<SigmoidDerivative>(gradient, activated, 0f);
                break;
            case MlpActivation.Tanh:
                ElementwiseKernel.Apply<TanhDerivative>(gradient, activated, 0f);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>
    /// The element-wise operators <see cref="ElementwiseKernel.Apply{TOp}"/> takes in a network of
    /// <paramref name="activation"/>: those <see cref="AddBiasAndActivate"/> and <see cref="MultiplyByDerivative"/> use
    /// for it, and <see cref="AddBias"/>, which the output layer and the bias gradients use whatever the activation (for
    /// <see cref="KernelWarmUp"/>).
    /// </summary>
    public static Type[] Operators(MlpActivation activation) => activation switch
    {
        MlpActivation.Identity => new[] { typeof(AddBias) },
        MlpActivation.ReLU => new[] { typeof(AddBias), typeof(AddBiasReLU), typeof(ReLUDerivative) },
        MlpActivation.LeakyReLU => new[] { typeof(AddBias), typeof(AddBiasLeakyReLU), typeof(LeakyReLUDerivative) },
        MlpActivation.Sigmoid => new[] { typeof(AddBias), typeof(SigmoidDerivative) },
        MlpActivation.Tanh => new[] { typeof(AddBias), typeof(TanhDerivative) },
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    /// <summary>The row functions <see cref="AddBiasAndActivate"/> maps a row of <paramref name="activation"/> with (for <see cref="KernelWarmUp"/>).</summary>
    public static Type[] Functions(MlpActivation activation) => activation switch
    {
        MlpActivation.Sigmoid => new[] { typeof(RowKernel.SigmoidFunction) },
        MlpActivation.Tanh => new[] { typeof(RowKernel.TanhFunction) },
        _ => Type.EmptyTypes,
    };

    internal readonly struct AddBias : IElementwiseOperator
    {
        public float Invoke(float x, float p, float s) => x + p;
        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> p, Vector256<float> s) => x + p;
        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> p, Vector512<float> s) => x + p;
    }

    // max(z, 0) with NaN propagated, so a diverging network shows up in the loss instead of hiding behind zeros.
    private readonly struct AddBiasReLU : IElementwiseOperator
    {
        public float Invoke(float x, float p, float s) => MathF.Max(x + p, 0f);
        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> p, Vector256<float> s) => Vector256.Max(x + p, Vector256<float>.Zero);
        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> p, Vector512<float> s) => Vector512.Max(x + p, Vector512<float>.Zero);
    }

    private readonly struct AddBiasLeakyReLU : IElementwiseOperator
    {
        public float Invoke(float x, float p, float s)
        {
            float z = x + p;
            return z > 0f ? z : z * s;
        }

        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> p, Vector256<float> s)
        {
            var z = x + p;
            return Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256<float>.Zero), z, z * s);
        }

        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> p, Vector512<float> s)
        {
            var z = x + p;
            return Vector512.ConditionalSelect(Vector512.GreaterThan(z, Vector512<float>.Zero), z, z * s);
        }
    }

    private readonly struct ReLUDerivative : IElementwiseOperator
    {
        public float Invoke(float g, float a, float s) => a > 0f ? g : 0f;
        public Vector256<float> Invoke(Vector256<float> g, Vector256<float> a, Vector256<float> s)
            => Vector256.ConditionalSelect(Vector256.GreaterThan(a, Vector256<float>.Zero), g, Vector256<float>.Zero);
        public Vector512<float> Invoke(Vector512<float> g, Vector512<float> a, Vector512<float> s)
            => Vector512.ConditionalSelect(Vector512.GreaterThan(a, Vector512<float>.Zero), g, Vector512<float>.Zero);
    }

    // For slope > 0, a > 0 exactly when z > 0; for slope 0 this is ReLU's derivative.
    private readonly struct LeakyReLUDerivative : IElementwiseOperator
    {
        public float Invoke(float g, float a, float s) => a > 0f ? g : g * s;
        public Vector256<float> Invoke(Vector256<float> g, Vector256<float> a, Vector256<float> s)
            => Vector256.ConditionalSelect(Vector256.GreaterThan(a, Vector256<float>.Zero), g, g * s);
        public Vector512<float> Invoke(Vector512<float> g, Vector512<float> a, Vector512<float> s)
            => Vector512.ConditionalSelect(Vector512.GreaterThan(a, Vector512<float>.Zero), g, g * s);
    }

    private readonly struct SigmoidDerivative : IElementwiseOperator
    {
        public float Invoke(float g, float a, float s) => g * (a * (1f - a));
        public Vector256<float> Invoke(Vector256<float> g, Vector256<float> a, Vector256<float> s) => g * (a * (Vector256<float>.One - a));
        public Vector512<float> Invoke(Vector512<float> g, Vector512<float> a, Vector512<float> s) => g * (a * (Vector512<float>.One - a));
    }

    private readonly struct TanhDerivative : IElementwiseOperator
    {
        public float Invoke(float g, float a, float s) => g * (1f - a * a);
        public Vector256<float> Invoke(Vector256<float> g, Vector256<float> a, Vector256<float> s) => g * (Vector256<float>.One - a * a);
        public Vector512<float> Invoke(Vector512<float> g, Vector512<float> a, Vector512<float> s) => g * (Vector512<float>.One - a * a);
    }
}
