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
        ApplyOutputTransform(probabilities);
    }

    /// <summary>The task's transform of one row of raw outputs: softmax (multiclass), none (binary logit), z·scale + offset (regression).</summary>
    private void ApplyOutputTransform(Span<float> row)
    {
        if (Task == MlpTask.Multiclass)
            SoftmaxCrossEntropy.Softmax(row);
        else if (Task == MlpTask.Regression)
            row[0] = row[0] * OutputScale + OutputOffset;
    }

    /// <summary>Rows scored together by <see cref="PredictBatch"/>: large enough for the matrix kernels, small enough to stay in cache.</summary>
    private const int BatchBlockRows = 512;

    /// <summary>
    /// Scores <paramref name="rows"/> rows at once with the blocked matrix kernels: <paramref name="features"/> is
    /// row-major, <c>rows × InputSize</c>; <paramref name="outputs"/> receives <c>rows × OutputSize</c> values, the same
    /// ones <see cref="Predict"/> gives row by row (up to the order of floating-point sums).
    /// </summary>
    public void PredictBatch(ReadOnlySpan<float> features, Span<float> outputs, int rows, int threads)
    {
        int inputs = Layout.InputSize, width = Layout.OutputSize;
        if (rows < 0 || features.Length < (long)rows * inputs)
            throw new ArgumentException($"{rows} rows of {inputs} features need {(long)rows * inputs} values; got {features.Length}.", nameof(features));
        if (outputs.Length < (long)rows * width)
            throw new ArgumentException($"{rows} rows of {width} outputs need {(long)rows * width} values; got {outputs.Length}.", nameof(outputs));
        if (rows == 0)
            return;

        int block = Math.Min(rows, BatchBlockRows);
        var levels = new float[Layout.Sizes.Count][];
        for (int level = 0; level < levels.Length; level++)
            levels[level] = new float[block * Layout.Sizes[level]];
        using var gemm = new GemmEngine(threads);
        int last = Layout.LayerCount - 1;
        for (int start = 0; start < rows; start += block)
        {
            int count = Math.Min(block, rows - start);
            features.Slice(start * inputs, count * inputs).CopyTo(levels[0]);
            for (int l = 0; l <= last; l++)
            {
                int ins = Layout.InputsOf(l), outs = Layout.OutputsOf(l);
                gemm.Multiply(Transpose.No, Transpose.Yes, count, outs, ins, levels[l], 0, ins, _parameters, Layout.WeightOffset(l), ins,
                    levels[l + 1], 0, outs, accumulate: false);
                ReadOnlySpan<float> bias = _parameters.AsSpan(Layout.BiasOffset(l), outs);
                MlpActivation activation = l == last ? MlpActivation.Identity : HiddenActivation;
                for (int r = 0; r < count; r++)
                    ActivationKernel.AddBiasAndActivate(activation, LeakySlope, levels[l + 1].AsSpan(r * outs, outs), bias);
            }
            Span<float> destination = outputs.Slice(start * width, count * width);
            levels[last + 1].AsSpan(0, count * width).CopyTo(destination);
            for (int r = 0; r < count; r++)
                ApplyOutputTransform(destination.Slice(r * width, width));
        }
    }
}
