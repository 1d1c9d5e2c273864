using System.Numerics.Tensors;
using MlpTrainer.Kernels;
using MlpTrainer.Losses;

namespace MlpTrainer.Model;

/// <summary>
/// A trained network for scoring: its task, layout, hidden activation and parameter vector, never changed after
/// construction. Scoring one row is a chain of matrix–vector products (one dot product per unit, over the
/// contiguous row of weights that unit owns), the activation, and the task's output transform: a softmax over the
/// classes (multiclass), the raw logit (binary; the probability is its sigmoid), or z·scale + offset (regression,
/// undoing the target standardisation of <see cref="MlpOptions.NormalizeLabel"/>).
/// </summary>
internal sealed class MlpNetwork
{
    private readonly float[] _parameters;

    public MlpNetwork(NetworkLayout layout, MlpActivation hiddenActivation, float leakySlope, float[] parameters,
        MlpTask task = MlpTask.Multiclass, float outputScale = 1f, float outputOffset = 0f)
    {
        if (parameters.Length != layout.ParameterCount)
            throw new ArgumentException($"A {layout} network has {layout.ParameterCount} parameters; got {parameters.Length}.", nameof(parameters));
        if (task != MlpTask.Multiclass && layout.OutputSize != 1)
            throw new ArgumentException($"A {task} network has one output; this layout has {layout.OutputSize}.", nameof(layout));
        if (!(float.IsFinite(outputScale) && outputScale != 0 && float.IsFinite(outputOffset)))
            throw new ArgumentOutOfRangeException(nameof(outputScale), $"The output scale ({outputScale}) must be finite and non-zero and the offset ({outputOffset}) finite.");
        Layout = layout;
        HiddenActivation = hiddenActivation;
        LeakySlope = leakySlope;
        _parameters = parameters;
        Task = task;
        OutputScale = outputScale;
        OutputOffset = outputOffset;
    }

    public MlpTask Task { get; }

    /// <summary>Regression outputs are z·OutputScale + OutputOffset; 1 and 0 for the other tasks.</summary>
    public float OutputScale { get; }

    public float OutputOffset { get; }

    public NetworkLayout Layout { get; }

    public MlpActivation HiddenActivation { get; }

    public float LeakySlope { get; }

    public ReadOnlySpan<float> Parameters => _parameters;

    public ReadOnlyMemory<float> Weights(int layer) => _parameters.AsMemory(Layout.WeightOffset(layer), Layout.WeightCount(layer));

    public ReadOnlyMemory<float> Biases(int layer) => _parameters.AsMemory(Layout.BiasOffset(layer), Layout.OutputsOf(layer));

    /// <summary>Scratch space for <see cref="Predict"/>: two buffers as wide as the widest level.</summary>
    public (float[] A, float[] B) CreateScratch() => (new float[Layout.MaxWidth], new float[Layout.MaxWidth]);

    /// <summary>
    /// The task's output for one row of features: class probabilities (multiclass), the logit (binary) or the
    /// predicted value (regression).
    /// </summary>
    public void Predict(ReadOnlySpan<float> features, Span<float> probabilities, (float[] A, float[] B) scratch)
    {
        if (features.Length != Layout.InputSize)
            throw new ArgumentException($"The network takes {Layout.InputSize} features; got {features.Length}.", nameof(features));
        if (probabilities.Length != Layout.OutputSize)
            throw new ArgumentException($"The network has {Layout.OutputSize} outputs; the destination holds {probabilities.Length}.", nameof(probabilities));

        ReadOnlySpan<float> input = features;
        float[] current = scratch.A, next = scratch.B;
        int last = Layout.LayerCount - 1;
        for (int l = 0; l <= last; l++)
        {
            int inputs = Layout.InputsOf(l), outputs = Layout.OutputsOf(l);
            ReadOnlySpan<float> weights = _parameters.AsSpan(Layout.WeightOffset(l), inputs * outputs);
            Span<float> output = l == last ? probabilities : current.AsSpan(0, outputs);
            for (int o = 0; o < outputs; o++)
                output[o] = TensorPrimitives.Dot(weights.Slice(o * inputs, inputs), input);
            ActivationKernel.AddBiasAndActivate(l == last ? MlpActivation.Identity : HiddenActivation, LeakySlope,
                output, _parameters.AsSpan(Layout.BiasOffset(l), outputs));
            input = output;
            (current, next) = (next, current);
        }
        if (Task == MlpTask.Multiclass)
            SoftmaxCrossEntropy.Softmax(probabilities);
        else if (Task == MlpTask.Regression)
            probabilities[0] = probabilities[0] * OutputScale + OutputOffset;
    }
}
