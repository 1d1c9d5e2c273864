using System.Runtime.CompilerServices;
using MlpTrainer.Data;
using MlpTrainer.Kernels;
using MlpTrainer.Layers;
using MlpTrainer.Losses;
using MlpTrainer.Model;

namespace MlpTrainer.Training;

/// <summary>
/// The forward and backward pass over one minibatch. Every buffer a minibatch needs — the activations of each level,
/// the dropout masks, the deltas, the gradient vector — is allocated once here, sized for the largest minibatch, and
/// reused, so training allocates nothing per minibatch. The floating-point operations depend only on the data, the
/// parameters and the dropout generator, never on the thread count. A network with an input-major first layer
/// (<see cref="NetworkLayout.InputMajorFirstLayer"/>) reads sparse minibatches through a <see cref="SparseInputLayer"/>,
/// whose weight gradient covers only the slots present in the minibatch (<see cref="FirstLayerRows"/>).
/// </summary>
internal sealed class BackpropTrainer : IDisposable
{
    private readonly NetworkLayout _layout;
    private readonly LayerStack _layers;         // the forward pass scoring shares
    private readonly SparseInputLayer? _sparseLayer;
    private readonly SparseRowGradient? _sparseGradient;
    private readonly Minibatch _batch;
    private readonly GemmEngine _gemm;
    private readonly int _batchCapacity;
    private readonly float _dropoutRate;
    private readonly float[][] _activations; // level 0 is the input minibatch; level l + 1 is layer l's output a = f(z)
    private readonly float[][] _dropped;     // hidden levels with dropout: a · mask, what the next layer reads in training
    private readonly float[][] _masks;       // 0 or 1/(1 − p) per unit, per hidden level
    private readonly float[][] _deltas;      // _deltas[l + 1] is ∂L/∂z of layer l
    private readonly float[] _gradients;
    private readonly OutputLoss _loss;

    /// <param name="layout">The network's shape.</param>
    /// <param name="hiddenActivation">The hidden layers' activation; the output layer has none (its loss applies the output transform).</param>
    /// <param name="leakySlope">LeakyReLU's slope for negative inputs.</param>
    /// <param name="batchCapacity">The largest minibatch, which sizes every buffer.</param>
    /// <param name="threads">Threads for the matrix products.</param>
    /// <param name="dropoutRate">Dropout after each hidden layer during <see cref="ComputeGradients"/>; 0 for none.</param>
    /// <param name="loss">The output layer's loss; softmax cross-entropy when null.</param>
    /// <param name="standardization">The network's feature standardisation, applied to every dense row a minibatch is given; null for none.</param>
    public BackpropTrainer(NetworkLayout layout, MlpActivation hiddenActivation, float leakySlope, int batchCapacity, int threads,
        float dropoutRate = 0f, OutputLoss? loss = null, FeatureStandardization? standardization = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchCapacity, 1);
        if (!(dropoutRate >= 0 && dropoutRate < 1))
            throw new ArgumentOutOfRangeException(nameof(dropoutRate), dropoutRate, "The dropout rate must be 0 to less than 1.");
        _layout = layout;
        _batchCapacity = batchCapacity;
        _dropoutRate = dropoutRate;
        _layers = new LayerStack(layout, hiddenActivation, leakySlope);
        _gemm = new GemmEngine(threads);
        _batch = new Minibatch(batchCapacity, layout.InputSize, layout.InputMajorFirstLayer) { Standardization = standardization, Engine = _gemm };
        _sparseLayer = _layers.SparseInput;
        if (_sparseLayer is not null)
            _sparseGradient = new SparseRowGradient(layout.InputSize, layout.OutputsOf(0));
        int levels = layout.LayerCount + 1;
        _activations = new float[levels][];
        _dropped = new float[levels][];
        _masks = new float[levels][];
        _deltas = new float[levels][];
        for (int level = 0; level < levels; level++)
        {
            int size = batchCapacity * layout.Sizes[level];
            _activations[level] = level == 0 ? _batch.Dense : new float[size];
            _deltas[level] = level == 0 ? Array.Empty<float>() : new float[size];
            bool hidden = level > 0 && level < levels - 1;
            _dropped[level] = hidden && dropoutRate > 0 ? new float[size] : _activations[level];
            _masks[level] = hidden && dropoutRate > 0 ? new float[size] : Array.Empty<float>();
        }
        _gradients = new float[layout.ParameterCount];
        _loss = loss ?? new SoftmaxCrossEntropyLoss();
    }

    public int BatchCapacity => _batchCapacity;

    /// <summary>The next minibatch: its rows' features (dense or sparse, as the first layer reads them), targets and weights.</summary>
    public Minibatch Batch => _batch;

    /// <summary>The input rows of the next minibatch, row-major, <c>InputSize</c> wide (empty when the first layer is sparse).</summary>
    public float[] InputBatch => _batch.Dense;

    /// <summary>The target of each row of the next minibatch: its class index, 0/1, or its value.</summary>
    public float[] TargetBatch => _batch.Targets;

    /// <summary>The weight of each row of the next minibatch (1 unless set).</summary>
    public float[] WeightBatch => _batch.Weights;

    /// <summary>
    /// With a sparse first layer, its weight gradient from the last <see cref="ComputeGradients"/> call, for the slots of
    /// that minibatch only (the first layer's weight part of <see cref="Gradients"/> is then unused); null otherwise.
    /// </summary>
    public SparseRowGradient? FirstLayerRows => _sparseGradient;

    /// <summary>The gradient of the last <see cref="ComputeGradients"/> call, in the parameter vector's layout (see <see cref="FirstLayerRows"/> for a sparse first layer).</summary>
    public float[] Gradients => _gradients;

    /// <summary>
    /// When set, <see cref="ComputeGradients"/> charges each of its phases to these timings (profiling; null in training).
    /// The caller starts nothing: each call starts the clock itself.
    /// </summary>
    public StepTimings? Timings { get; set; }

    /// <summary>The engine and threads this trainer computes with; the optimizer's update shares them.</summary>
    public GemmEngine Engine => _gemm;

    /// <summary>
    /// Forward and backward pass over the first <paramref name="rows"/> rows of <see cref="InputBatch"/>: fills
    /// <see cref="Gradients"/> with the gradient of the minibatch's weighted mean loss (without the L2 term, which the
    /// optimizer adds) and returns the weighted sum of its rows' losses. With a dropout rate above 0,
    /// <paramref name="dropout"/> draws this minibatch's masks. With <paramref name="meanOver"/>, the gradient is the
    /// rows' share of a weighted mean over rows of that total weight, Σ wᵢ·∇ℓᵢ / <paramref name="meanOver"/> (a worker's
    /// share of a data-parallel minibatch, whose weight every worker knows); by default it is their own weight's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double ComputeGradients(float[] parameters, int rows, Random? dropout = null, double? meanOver = null)
    {
        CheckRows(rows);
        bool useDropout = _dropoutRate > 0;
        if (useDropout && dropout is null)
            throw new ArgumentNullException(nameof(dropout), "A trainer with dropout needs a generator for the masks.");
        int last = _layout.LayerCount - 1;
        StepTimings? timings = Timings;
        timings?.Start();
        for (int l = 0; l <= last; l++)
        {
            float[] input = useDropout ? _dropped[l] : _activations[l];
            if (timings is null || (l == 0 && _sparseLayer is not null))
            {
                _layers.Forward(l, _gemm, parameters, input, _batch.Sparse, _activations[l + 1], rows);
                timings?.Lap(StepTimings.Phase.ForwardProduct, l);
            }
            else
            {
                DenseLayer dense = _layers.Dense(l);
                dense.Multiply(_gemm, parameters, input, _activations[l + 1], rows);
                timings.Lap(StepTimings.Phase.ForwardProduct, l);
                dense.AddBiasAndActivate(parameters, _activations[l + 1], rows);
                timings.Lap(StepTimings.Phase.BiasAndActivation, l);
            }
            if (useDropout && l < last)
            {
                ApplyDropout(l + 1, rows * _layout.Sizes[l + 1], dropout!);
                timings?.Lap(StepTimings.Phase.Dropout, l);
            }
        }

        // The output layer's raw values become ∂L/∂z in place.
        float[] outputDelta = _deltas[last + 1];
        Array.Copy(_activations[last + 1], outputDelta, rows * _layout.OutputSize);
        double weightSum = 0;
        if (meanOver is double total)
        {
            if (!(total > 0))
                throw new ArgumentOutOfRangeException(nameof(meanOver), total, "The weight a gradient is a mean over must be positive.");
            weightSum = total;
        }
        else
        {
            foreach (float w in _batch.Weights.AsSpan(0, rows))
                weightSum += w;
            if (!(weightSum > 0))
                throw new ArgumentException($"The weights of the minibatch's {rows} rows sum to {weightSum}; at least one must be positive.");
        }
        double loss = _loss.LossAndGradient(outputDelta, _batch.Targets, _batch.Weights, rows, _layout.OutputSize, weightSum);
        timings?.Lap(StepTimings.Phase.Loss, last);

        for (int l = last; l >= 0; l--)
        {
            if (l == 0 && _sparseLayer is not null)
            {
                _sparseLayer.ComputeGradients(_deltas[1], _batch.Sparse!, rows, _gradients, _sparseGradient!);
                timings?.Lap(StepTimings.Phase.WeightGradientProduct, l);
                break;
            }
            DenseLayer layer = _layers.Dense(l);
            if (timings is null)
            {
                layer.ComputeGradients(_gemm, _deltas[l + 1], useDropout ? _dropped[l] : _activations[l], rows, _gradients);
            }
            else
            {
                layer.ComputeWeightGradients(_gemm, _deltas[l + 1], useDropout ? _dropped[l] : _activations[l], rows, _gradients);
                timings.Lap(StepTimings.Phase.WeightGradientProduct, l);
                layer.ComputeBiasGradients(_deltas[l + 1], rows, _gradients);
                timings.Lap(StepTimings.Phase.BiasGradient, l);
            }
            if (l == 0)
                break;
            layer.PropagateToInput(_gemm, parameters, _deltas[l + 1], _deltas[l], rows);
            timings?.Lap(StepTimings.Phase.InputGradientProduct, l);
            (MlpActivation belowActivation, float belowSlope) = _layers.ActivationOf(l - 1);
            Span<float> delta = _deltas[l].AsSpan(0, rows * _layout.Sizes[l]);
            if (useDropout)
                System.Numerics.Tensors.TensorPrimitives.Multiply(delta, _masks[l].AsSpan(0, delta.Length), delta);
            ActivationKernel.MultiplyByDerivative(belowActivation, belowSlope, delta, _activations[l].AsSpan(0, delta.Length));
            timings?.Lap(StepTimings.Phase.Derivative, l - 1);
        }
        return loss;
    }

    /// <summary>
    /// The network as it scores (no dropout) over <paramref name="rows"/> of <paramref name="data"/>: the weighted sum
    /// of the rows' losses, the sum of their weights, and how many rows are classified right (0 for regression).
    /// </summary>
    public (double Loss, double WeightSum, long Correct) Evaluate(float[] parameters, RowDataset data, ReadOnlySpan<int> rows)
    {
        double loss = 0, weightSum = 0;
        long correct = 0;
        int last = _layout.LayerCount - 1;
        for (int start = 0; start < rows.Length; start += _batchCapacity)
        {
            int count = Math.Min(_batchCapacity, rows.Length - start);
            weightSum += data.Gather(rows.Slice(start, count), _batch);
            _layers.Forward(_gemm, parameters, _activations, _batch.Sparse, count);
            loss += _loss.Evaluate(_activations[last + 1], _batch.Targets, _batch.Weights, count, _layout.OutputSize, out long right);
            correct += right;
        }
        return (loss, weightSum, correct);
    }

    private void ApplyDropout(int level, int count, Random random)
    {
        float keepScale = 1f / (1f - _dropoutRate);
        Span<float> mask = _masks[level].AsSpan(0, count);
        for (int i = 0; i < mask.Length; i++)
            mask[i] = random.NextSingle() < _dropoutRate ? 0f : keepScale;
        System.Numerics.Tensors.TensorPrimitives.Multiply(_activations[level].AsSpan(0, count), mask, _dropped[level].AsSpan(0, count));
    }

    private void CheckRows(int rows)
    {
        if ((uint)(rows - 1) >= (uint)_batchCapacity)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"A minibatch holds 1 to {_batchCapacity} rows.");
    }

    public void Dispose() => _gemm.Dispose();
}
