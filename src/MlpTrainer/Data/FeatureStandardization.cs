using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using MlpTrainer.Model;

namespace MlpTrainer.Data;

/// <summary>
/// The network's own standardisation of dense features (<see cref="MlpOptions.StandardizeFeatures"/>): training sees
/// x' = (x − offset)·scale per feature, with each feature's training mean and 1/standard deviation (indicator columns
/// of 0 and 1 keep offset 0 and scale 1). Whatever the pipeline did to the features (ML.NET's
/// <c>NormalizeMeanVariance</c> scales without centring by default; raw columns may be in thousands), the first layer
/// sees centred features of unit scale. The transform is affine, so after training it is folded into the first
/// layer — W'[o,j] = W[o,j]·scale[j], b'[o] = b[o] − Σ_j W'[o,j]·offset[j] — and the saved, scored and exported model is
/// an ordinary network on the features as the pipeline gives them.
/// </summary>
internal sealed class FeatureStandardization
{
    public FeatureStandardization(float[] offsets, float[] scales)
    {
        if (offsets.Length != scales.Length)
            throw new ArgumentException($"{offsets.Length} offsets for {scales.Length} scales.", nameof(scales));
        Offsets = offsets;
        Scales = scales;
    }

    public float[] Offsets { get; }

    public float[] Scales { get; }

    public int FeatureCount => Offsets.Length;

    /// <summary>
    /// x ← (x − offset)·scale, in place, for one dense row: one pass, a vector at a time, compiled optimised at once (it
    /// runs for every row of every minibatch from the first).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(Span<float> row)
    {
        ReadOnlySpan<float> offsets = Offsets, scales = Scales;
        if (row.Length != offsets.Length)
            throw new ArgumentException($"The standardisation has {offsets.Length} features; the row has {row.Length}.", nameof(row));
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            for (; j <= row.Length - width; j += width)
            {
                Span<float> x = row.Slice(j, width);
                ((new Vector<float>(x) - new Vector<float>(offsets.Slice(j, width))) * new Vector<float>(scales.Slice(j, width))).CopyTo(x);
            }
        }
        for (; j < row.Length; j++)
            row[j] = (row[j] - offsets[j]) * scales[j];
    }

    /// <summary>
    /// Rewrites <paramref name="parameters"/>, trained on standardised features, into the same function of the features as
    /// given: the first layer's weights times the scales, its biases less the weights times the offsets (sums in double).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Fold(NetworkLayout layout, float[] parameters)
    {
        CheckLayout(layout);
        int inputs = layout.InputsOf(0), weights = layout.WeightOffset(0), biases = layout.BiasOffset(0);
        ReadOnlySpan<float> scales = Scales;
        for (int o = 0; o < layout.OutputsOf(0); o++)
        {
            // Element by element, as TensorPrimitives.Multiply gives it, but optimised from this one call after training.
            Span<float> row = parameters.AsSpan(weights + o * inputs, inputs);
            for (int j = 0; j < row.Length; j++)
                row[j] *= scales[j];
            parameters[biases + o] = (float)(parameters[biases + o] - TimesOffsets(row));
        }
    }

    /// <summary>The inverse of <see cref="Fold"/> (up to rounding): a trained model's weights, to continue training on standardised features.</summary>
    public void Unfold(NetworkLayout layout, float[] parameters)
    {
        CheckLayout(layout);
        int inputs = layout.InputsOf(0), weights = layout.WeightOffset(0), biases = layout.BiasOffset(0);
        for (int o = 0; o < layout.OutputsOf(0); o++)
        {
            Span<float> row = parameters.AsSpan(weights + o * inputs, inputs);
            parameters[biases + o] = (float)(parameters[biases + o] + TimesOffsets(row));
            TensorPrimitives.Divide(row, Scales, row);
        }
    }

    /// <summary>Σ_j row[j]·offset[j], in double: what a unit's weights see of the offsets.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double TimesOffsets(ReadOnlySpan<float> row)
    {
        double sum = 0;
        for (int j = 0; j < row.Length; j++)
            sum += (double)row[j] * Offsets[j];
        return sum;
    }

    private void CheckLayout(NetworkLayout layout)
    {
        if (layout.InputMajorFirstLayer)
            throw new InvalidOperationException("Feature standardisation is for a dense (unit-major) first layer.");
        if (layout.InputSize != FeatureCount)
            throw new ArgumentException($"The standardisation has {FeatureCount} features; the network takes {layout.InputSize}.", nameof(layout));
    }
}
