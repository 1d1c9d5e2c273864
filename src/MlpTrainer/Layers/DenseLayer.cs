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
        Multiply(gemm, parameters, input, output, rows);
        AddBiasAndActivate(parameters, output, rows);
    }

    /// <summary>z[rows × Outputs] = input[rows × Inputs] · Wᵀ: the forward pass's product, without bias and activation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Multiply(GemmEngine gemm, float[] parameters, float[] input, float[] z, int rows)
        => gemm.Multiply(Transpose.No, Transpose.Yes, rows, Outputs, Inputs,
            input, 0, Inputs, parameters, _weightOffset, Inputs, z, 0, Outputs, accumulate: false);

    /// <summary>f(z + b) on each of the first <paramref name="rows"/> rows of <paramref name="z"/>.</summary>
    public void AddBiasAndActivate(float[] parameters, float[] z, int rows)
        => ActivationKernel.AddBiasAndActivateRows(Activation, LeakySlope, z, rows, parameters.AsSpan(_biasOffset, Outputs));

    /// <summary>z[o] = W[o,:]·x for one row: one dot product over each unit's contiguous row of weights (no bias, no activation).</summary>
    public void MultiplyRow(float[] parameters, ReadOnlySpan<float> input, Span<float> z)
    {
        ReadOnlySpan<float> weights = parameters.AsSpan(_weightOffset, Inputs * Outputs);
        for (int o = 0; o < z.Length; o++)
            z[o] = System.Numerics.Tensors.TensorPrimitives.Dot(weights.Slice(o * Inputs, Inputs), input);
    }

    /// <summary>
    /// z[o] = Σ_k W[o, indices[k]]·values[k] for one sparse row: reads only the non-zeros' columns (no bias, no activation).
    /// </summary>
    public void GatherRow(float[] parameters, ReadOnlySpan<int> indices, ReadOnlySpan<float> values, Span<float> z)
    {
        ReadOnlySpan<float> weights = parameters.AsSpan(_weightOffset, Inputs * Outputs);
        for (int o = 0; o < z.Length; o++)
        {
            ReadOnlySpan<float> row = weights.Slice(o * Inputs, Inputs);
            float sum = 0f;
            for (int k = 0; k < indices.Length; k++)
                sum += row[indices[k]] * values[k];
            z[o] = sum;
        }
    }

    /// <summary>output = f(W·input + b) for one row.</summary>
    public void ForwardRow(float[] parameters, ReadOnlySpan<float> input, Span<float> output)
    {
        MultiplyRow(parameters, input, output);
        AddBiasAndActivate(parameters, output);
    }

    /// <summary>z = f(z + b) for one row of this layer's pre-activations.</summary>
    public void AddBiasAndActivate(float[] parameters, Span<float> z)
        => ActivationKernel.AddBiasAndActivate(Activation, LeakySlope, z, parameters.AsSpan(_biasOffset, Outputs));

    /// <summary>Writes ∂L/∂W = δᵀ·input and ∂L/∂b = Σ_rows δ into this layer's slice of <paramref name="gradients"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ComputeGradients(GemmEngine gemm, float[] delta, float[] input, int rows, float[] gradients)
    {
        ComputeWeightGradients(gemm, delta, input, rows, gradients);
        ComputeBiasGradients(delta, rows, gradients);
    }

    /// <summary>Writes ∂L/∂W = δᵀ·input into this layer's slice of <paramref name="gradients"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ComputeWeightGradients(GemmEngine gemm, float[] delta, float[] input, int rows, float[] gradients)
        => gemm.Multiply(Transpose.Yes, Transpose.No, Outputs, Inputs, rows,
            delta, 0, Outputs, input, 0, Inputs, gradients, _weightOffset, Inputs, accumulate: false);

    /// <summary>Writes ∂L/∂b = Σ_rows δ into this layer's slice of <paramref name="gradients"/>.</summary>
    public void ComputeBiasGradients(float[] delta, int rows, float[] gradients)
        => SumRows(delta, rows, Outputs, gradients.AsSpan(_biasOffset, Outputs));

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
