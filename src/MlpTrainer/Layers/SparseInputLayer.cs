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
        for (int r = 0; r < rows; r++)
        {
            Span<float> z = output.AsSpan(r * Outputs, Outputs);
            z.Clear();
            ReadOnlySpan<int> slots = input.Indices(r);
            ReadOnlySpan<float> values = input.Values(r);
            for (int k = 0; k < slots.Length; k++)
            {
                int slot = slots[k];
                if ((uint)slot >= (uint)Inputs)
                    throw new ArgumentOutOfRangeException(nameof(input), slot, $"Row {r} has a feature in slot {slot}; the layer has {Inputs} inputs.");
                RowKernel.MultiplyAdd(parameters.AsSpan(_weightOffset + slot * Outputs, Outputs), values[k], z);
            }
            ActivationKernel.AddBiasAndActivate(Activation, LeakySlope, z, bias);
        }
    }

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
            ReadOnlySpan<float> d = delta.AsSpan(r * Outputs, Outputs);
            ReadOnlySpan<int> slots = input.Indices(r);
            ReadOnlySpan<float> values = input.Values(r);
            for (int k = 0; k < slots.Length; k++)
            {
                Span<float> g = weightGradient.RowOf(slots[k]);
                RowKernel.MultiplyAdd(d, values[k], g);
            }
        }
        DenseLayer.SumRows(delta, rows, Outputs, gradients.AsSpan(_biasOffset, Outputs));
    }
}
