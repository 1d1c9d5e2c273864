using System.Numerics.Tensors;
using MlpTrainer.Kernels;
using MlpTrainer.Losses;

namespace MlpTrainer.Model;

/// <summary>
/// A trained network for scoring: its layout, hidden activation and parameter vector, never changed after
/// construction. Scoring one row is a chain of matrix–vector products (one dot product per unit, over the
/// contiguous row of weights that unit owns), the activation, and a softmax over the output layer.
/// </summary>
internal sealed class MlpNetwork
{
    private readonly float[] _parameters;

    public MlpNetwork(NetworkLayout layout, MlpActivation hiddenActivation, float leakySlope, float[] parameters)
    {
        if (parameters.Length != layout.ParameterCount)
            throw new ArgumentException($"A {layout} network has {layout.ParameterCount} parameters; got {parameters.Length}.", nameof(parameters));
        Layout = layout;
        HiddenActivation = hiddenActivation;
        LeakySlope = leakySlope;
        _parameters = parameters;
    }

    public NetworkLayout Layout { get; }

    public MlpActivation HiddenActivation { get; }

    public float LeakySlope { get; }

    public ReadOnlySpan<float> Parameters => _parameters;

    public ReadOnlyMemory<float> Weights(int layer) => _parameters.AsMemory(Layout.WeightOffset(layer), Layout.WeightCount(layer));

    public ReadOnlyMemory<float> Biases(int layer) => _parameters.AsMemory(Layout.BiasOffset(layer), Layout.OutputsOf(layer));

    /// <summary>Scratch space for <see cref="Predict"/>: two buffers as wide as the widest level.</summary>
    public (float[] A, float[] B) CreateScratch() => (new float[Layout.MaxWidth], new float[Layout.MaxWidth]);

    /// <summary>Class probabilities (softmax of the output layer) of one row of features.</summary>
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
        SoftmaxCrossEntropy.Softmax(probabilities);
    }
}
