using System.Diagnostics;
using MlpTrainer.Data;
using MlpTrainer.Kernels;
using MlpTrainer.Layers;
using MlpTrainer.Losses;
using MlpTrainer.Model;
using MlpTrainer.Optimizers;

namespace MlpTrainer.Training;

/// <summary>
/// Minibatch training by backpropagation. Every buffer a minibatch needs — the activations of each level, the
/// deltas, the gradient vector — is allocated once here, sized for the largest minibatch, and reused, so the
/// training loop allocates nothing per minibatch. The sequence of floating-point operations depends only on
/// the data, the options and the seed, never on the thread count, so the same seed gives bit-identical weights.
/// </summary>
internal sealed class BackpropTrainer : IDisposable
{
    private readonly NetworkLayout _layout;
    private readonly DenseLayer[] _layers;
    private readonly GemmEngine _gemm;
    private readonly int _batchCapacity;
    private readonly float[][] _activations; // level 0 is the input minibatch; level l + 1 is layer l's output
    private readonly float[][] _deltas;      // _deltas[l + 1] is ∂L/∂z of layer l
    private readonly int[] _labels;
    private readonly float[] _gradients;

    public BackpropTrainer(NetworkLayout layout, MlpActivation hiddenActivation, float leakySlope, int batchCapacity, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchCapacity, 1);
        _layout = layout;
        _batchCapacity = batchCapacity;
        _layers = new DenseLayer[layout.LayerCount];
        for (int l = 0; l < layout.LayerCount; l++)
        {
            bool isOutput = l == layout.LayerCount - 1;
            _layers[l] = new DenseLayer(layout, l, isOutput ? MlpActivation.Identity : hiddenActivation, leakySlope);
        }
        _activations = new float[layout.LayerCount + 1][];
        _deltas = new float[layout.LayerCount + 1][];
        for (int level = 0; level <= layout.LayerCount; level++)
        {
            _activations[level] = new float[batchCapacity * layout.Sizes[level]];
            _deltas[level] = level == 0 ? Array.Empty<float>() : new float[batchCapacity * layout.Sizes[level]];
        }
        _labels = new int[batchCapacity];
        _gradients = new float[layout.ParameterCount];
        _gemm = new GemmEngine(threads);
    }

    /// <summary>The input rows of the next minibatch, row-major, <c>InputSize</c> wide.</summary>
    public float[] InputBatch => _activations[0];

    /// <summary>The class index of each row of the next minibatch.</summary>
    public int[] LabelBatch => _labels;

    /// <summary>The gradient of the last <see cref="ComputeGradients"/> call, in the parameter vector's layout.</summary>
    public float[] Gradients => _gradients;

    /// <summary>
    /// Forward and backward pass over the first <paramref name="rows"/> rows of <see cref="InputBatch"/>:
    /// fills <see cref="Gradients"/> with the gradient of the minibatch's mean cross-entropy (without the L2
    /// term, which the optimizer adds) and returns the summed cross-entropy of its rows.
    /// </summary>
    public double ComputeGradients(float[] parameters, int rows)
    {
        if ((uint)(rows - 1) >= (uint)_batchCapacity)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"A minibatch holds 1 to {_batchCapacity} rows.");
        int last = _layers.Length - 1;
        for (int l = 0; l <= last; l++)
            _layers[l].Forward(_gemm, parameters, _activations[l], _activations[l + 1], rows);

        // The output layer's logits become ∂L/∂z in place.
        float[] outputDelta = _deltas[last + 1];
        Array.Copy(_activations[last + 1], outputDelta, rows * _layout.OutputSize);
        double loss = SoftmaxCrossEntropy.LossAndGradient(outputDelta, _labels, rows, _layout.OutputSize, 1f / rows);

        for (int l = last; l >= 0; l--)
        {
            _layers[l].ComputeGradients(_gemm, _deltas[l + 1], _activations[l], rows, _gradients);
            if (l == 0)
                break;
            _layers[l].PropagateToInput(_gemm, parameters, _deltas[l + 1], _deltas[l], rows);
            DenseLayer below = _layers[l - 1];
            ActivationKernel.MultiplyByDerivative(below.Activation, below.LeakySlope,
                _deltas[l].AsSpan(0, rows * below.Outputs), _activations[l].AsSpan(0, rows * below.Outputs));
        }
        return loss;
    }

    /// <summary>
    /// Runs <paramref name="epochs"/> epochs of minibatch training on <paramref name="data"/>, updating
    /// <paramref name="parameters"/> in place. <paramref name="checkAlive"/> runs before every minibatch and may
    /// throw to stop training.
    /// </summary>
    public void Train(DenseDataset data, float[] parameters, Optimizer optimizer, float learningRate, int epochs,
        EpochShuffler shuffler, Action checkAlive, Action<EpochSummary>? onEpoch)
    {
        if (data.FeatureCount != _layout.InputSize)
            throw new ArgumentException($"The data has {data.FeatureCount} features; the network takes {_layout.InputSize}.", nameof(data));
        if (data.RowCount == 0)
            throw new ArgumentException("The training data has no rows.", nameof(data));
        int batch = Math.Min(_batchCapacity, data.RowCount);
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            long started = Stopwatch.GetTimestamp();
            ReadOnlySpan<int> order = shuffler.NextEpoch();
            double epochLoss = 0;
            for (int start = 0, minibatch = 1; start < order.Length; start += batch, minibatch++)
            {
                checkAlive();
                int rows = Math.Min(batch, order.Length - start);
                data.Gather(order.Slice(start, rows), _activations[0], _labels);
                double loss = ComputeGradients(parameters, rows);
                if (!double.IsFinite(loss))
                    throw new InvalidOperationException(
                        $"Training diverged in epoch {epoch}, minibatch {minibatch}: the loss is {loss}. " +
                        $"Lower MlpOptions.LearningRate (now {learningRate}) or normalize the features (e.g. NormalizeMinMax).");
                epochLoss += loss;
                optimizer.Step(parameters, _gradients, learningRate);
            }
            onEpoch?.Invoke(new EpochSummary(epoch, epochLoss / order.Length, order.Length, Stopwatch.GetElapsedTime(started)));
        }
    }

    public void Dispose() => _gemm.Dispose();
}
