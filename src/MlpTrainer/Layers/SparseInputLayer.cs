using System.Numerics;
using System.Runtime.CompilerServices;
using MlpTrainer.Data;
using MlpTrainer.Kernels;
using MlpTrainer.Model;

namespace MlpTrainer.Layers;

/// <summary>
/// The first layer of a network trained on sparse features, over a minibatch of sparse rows. Its weights are
/// input-major (<see cref="NetworkLayout.InputMajorFirstLayer"/>): row j of Wᵀ holds the weights from input slot j to
/// every unit. Forward: z = b + Σ_j x_j·Wᵀ[j], over the row's non-zeros only, so a row costs its non-zeros × units, not
/// features × units; a = f(z). Backward: ∂L/∂Wᵀ[j] = Σ_rows x_j·δ, kept only for the slots present in the minibatch
/// (<see cref="SparseRowGradient"/>); ∂L/∂b = Σ_rows δ. Nothing is propagated to the input. Every sum runs in the order
/// of the rows and their non-zeros, so the result does not depend on the thread count.
/// </summary>
internal sealed class SparseInputLayer
{
    private readonly int _weightOffset, _biasOffset;

    public SparseInputLayer(NetworkLayout layout, MlpActivation activation, float leakySlope)
    {
        if (!layout.InputMajorFirstLayer)
            throw new ArgumentException("A sparse first layer needs the input-major layout.", nameof(layout));
        Inputs = layout.InputsOf(0);
        Outputs = layout.OutputsOf(0);
        _weightOffset = layout.WeightOffset(0);
        _biasOffset = layout.BiasOffset(0);
        Activation = activation;
        LeakySlope = leakySlope;
    }

    public int Inputs { get; }

    public int Outputs { get; }

    public MlpActivation Activation { get; }

    public float LeakySlope { get; }

    /// <summary>output[rows × Outputs] = f(b + Σ over each row's non-zeros of x_j·Wᵀ[j]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(float[] parameters, SparseRows input, float[] output, int rows)
    {
        ReadOnlySpan<float> bias = parameters.AsSpan(_biasOffset, Outputs);
        ReadOnlySpan<float> weights = parameters.AsSpan(_weightOffset, Inputs * Outputs);
        for (int r = 0; r < rows; r++)
        {
            Span<float> z = output.AsSpan(r * Outputs, Outputs);
            ReadOnlySpan<int> slots = input.Indices(r);
            int bad = SparseGatherKernel.Sum(weights, slots, input.Values(r), z);
            if (bad >= 0)
                throw new ArgumentOutOfRangeException(nameof(input), slots[bad], $"Row {r} has a feature in slot {slots[bad]}; the layer has {Inputs} inputs.");
            ActivationKernel.AddBiasAndActivate(Activation, LeakySlope, z, bias);
        }
    }

    /// <summary>output[rows × Outputs] = f(input[rows × Inputs]·Wᵀ + b) for rows given dense: Wᵀ is multiplied as stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ForwardDense(GemmEngine gemm, float[] parameters, float[] input, float[] output, int rows)
    {
        gemm.Multiply(Transpose.No, Transpose.No, rows, Outputs, Inputs, input, 0, Inputs, parameters, _weightOffset, Outputs,
            output, 0, Outputs, accumulate: false);
        AddBiasAndActivate(parameters, output, rows);
    }

    /// <summary>
    /// z = Σ_j x_j·Wᵀ[j,:] over the non-zero x_j of one dense row (no bias, no activation). Runs of zeros one vector wide
    /// are skipped with one comparison.
    /// </summary>
    public void AccumulateRow(float[] parameters, ReadOnlySpan<float> features, Span<float> z)
    {
        ReadOnlySpan<float> weights = parameters.AsSpan(_weightOffset, Inputs * Outputs);
        int units = z.Length;
        z.Clear();
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            for (; j <= features.Length - width; j += width)
            {
                if (Vector.EqualsAll(new Vector<float>(features.Slice(j, width)), Vector<float>.Zero))
                    continue;
                for (int i = j; i < j + width; i++)
                {
                    float x = features[i];
                    if (x != 0)
                        RowKernel.MultiplyAdd(weights.Slice(i * units, units), x, z);
                }
            }
        }
        for (; j < features.Length; j++)
        {
            float x = features[j];
            if (x != 0)
                RowKernel.MultiplyAdd(weights.Slice(j * units, units), x, z);
        }
    }

    /// <summary>
    /// z = Σ_k values[k]·Wᵀ[indices[k],:] for one sparse row (no bias, no activation), in the order of the indices (the
    /// dense row's order), skipping stored zeros as the dense row does, so both give the same bits.
    /// </summary>
    public void AccumulateRow(float[] parameters, ReadOnlySpan<int> indices, ReadOnlySpan<float> values, Span<float> z)
    {
        ReadOnlySpan<float> weights = parameters.AsSpan(_weightOffset, Inputs * Outputs);
        int units = z.Length;
        z.Clear();
        for (int k = 0; k < indices.Length; k++)
        {
            float x = values[k];
            if (x != 0)
                RowKernel.MultiplyAdd(weights.Slice(indices[k] * units, units), x, z);
        }
    }

    /// <summary>z = f(z + b) for one row of this layer's pre-activations.</summary>
    public void AddBiasAndActivate(float[] parameters, Span<float> z)
        => ActivationKernel.AddBiasAndActivate(Activation, LeakySlope, z, parameters.AsSpan(_biasOffset, Outputs));

    /// <summary>f(z + b) on each of the first <paramref name="rows"/> rows of <paramref name="z"/>.</summary>
    public void AddBiasAndActivate(float[] parameters, float[] z, int rows)
        => ActivationKernel.AddBiasAndActivateRows(Activation, LeakySlope, z, rows, parameters.AsSpan(_biasOffset, Outputs));

    /// <summary>
    /// Writes ∂L/∂Wᵀ for the minibatch's slots into <paramref name="weightGradient"/> (cleared first) and ∂L/∂b into this
    /// layer's bias slice of <paramref name="gradients"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ComputeGradients(float[] delta, SparseRows input, int rows, float[] gradients, SparseRowGradient weightGradient)
    {
        weightGradient.Clear();
        for (int r = 0; r < rows; r++)
        {
            weightGradient.AddScaled(input.Indices(r), input.Values(r), delta.AsSpan(r * Outputs, Outputs));
        }
        DenseLayer.SumRows(delta, rows, Outputs, gradients.AsSpan(_biasOffset, Outputs));
    }
}
