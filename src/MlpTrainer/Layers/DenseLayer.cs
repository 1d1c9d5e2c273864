using System.Runtime.CompilerServices;
using MlpTrainer.Kernels;
using MlpTrainer.Model;

namespace MlpTrainer.Layers;

/// <summary>
/// One fully connected layer over a minibatch held as a row-major matrix, one row per example:
/// forward z = x·Wᵀ + b, a = f(z); backward ∂L/∂W = δᵀ·x, ∂L/∂b = Σ_rows δ and ∂L/∂x = δ·W, where δ = ∂L/∂z.
/// The layer owns no memory: its weights and biases are a slice of the network's parameter vector and its
/// gradients the same slice of the gradient vector.
/// </summary>
internal sealed class DenseLayer
{
    private readonly int _weightOffset, _biasOffset;

    public DenseLayer(NetworkLayout layout, int index, MlpActivation activation, float leakySlope)
    {
        Inputs = layout.InputsOf(index);
        Outputs = layout.OutputsOf(index);
        _weightOffset = layout.WeightOffset(index);
        _biasOffset = layout.BiasOffset(index);
        Activation = activation;
        LeakySlope = leakySlope;
    }

    public int Inputs { get; }

    public int Outputs { get; }

    public MlpActivation Activation { get; }

    public float LeakySlope { get; }

    /// <summary>output[rows × Outputs] = f(input[rows × Inputs] · Wᵀ + b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(GemmEngine gemm, float[] parameters, float[] input, float[] output, int rows)
    {
        gemm.Multiply(Transpose.No, Transpose.Yes, rows, Outputs, Inputs,
            input, 0, Inputs, parameters, _weightOffset, Inputs, output, 0, Outputs, accumulate: false);
        ReadOnlySpan<float> bias = parameters.AsSpan(_biasOffset, Outputs);
        for (int r = 0; r < rows; r++)
            ActivationKernel.AddBiasAndActivate(Activation, LeakySlope, output.AsSpan(r * Outputs, Outputs), bias);
    }

    /// <summary>Writes ∂L/∂W = δᵀ·input and ∂L/∂b = Σ_rows δ into this layer's slice of <paramref name="gradients"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ComputeGradients(GemmEngine gemm, float[] delta, float[] input, int rows, float[] gradients)
    {
        gemm.Multiply(Transpose.Yes, Transpose.No, Outputs, Inputs, rows,
            delta, 0, Outputs, input, 0, Inputs, gradients, _weightOffset, Inputs, accumulate: false);
        SumRows(delta, rows, Outputs, gradients.AsSpan(_biasOffset, Outputs));
    }

    /// <summary>∂L/∂b: <paramref name="destination"/> = the sum of the first <paramref name="rows"/> rows of δ, in row order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumRows(float[] delta, int rows, int width, Span<float> destination)
    {
        delta.AsSpan(0, width).CopyTo(destination);
        for (int r = 1; r < rows; r++)
            ElementwiseKernel.Apply<ActivationKernel.AddBias>(destination, delta.AsSpan(r * width, width), 0f);
    }

    /// <summary>inputGradient[rows × Inputs] = δ·W, the gradient of the loss with respect to this layer's input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PropagateToInput(GemmEngine gemm, float[] parameters, float[] delta, float[] inputGradient, int rows)
    {
        gemm.Multiply(Transpose.No, Transpose.No, rows, Inputs, Outputs,
            delta, 0, Outputs, parameters, _weightOffset, Inputs, inputGradient, 0, Inputs, accumulate: false);
    }
}
