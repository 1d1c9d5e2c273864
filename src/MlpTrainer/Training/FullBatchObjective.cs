using System.Numerics.Tensors;
using MlpTrainer.Data;
using MlpTrainer.Model;

namespace MlpTrainer.Training;

/// <summary>
/// The full-batch objective full-batch optimizers minimise: the weighted mean loss of every training row plus the L2 term
/// λ/2·Σw² over the weights (not the biases), with its gradient. The rows are summed in chunks of at most
/// <see cref="ChunkRows"/>, always in the same order, so the value depends only on the data and the parameters — never on
/// the thread count. A sparse first layer's gradient rows are scattered into the dense gradient.
/// </summary>
internal sealed class FullBatchObjective
{
    /// <summary>The most rows one forward and backward pass takes; bigger data is summed over several chunks.</summary>
    public const int ChunkRows = 8192;

    /// <summary>Pairs of vectors L-BFGS keeps to approximate the curvature (scikit-learn's and SciPy's <c>maxcor</c>).</summary>
    public const int HistorySize = 10;

    private readonly BackpropTrainer _trainer;
    private readonly IMinibatchSource _source;
    private readonly NetworkLayout _layout;
    private readonly float _l2;
    private readonly Action _checkAlive;
    private readonly IWorkerReduction _reduction;

    /// <param name="trainer">Computes each chunk's loss and gradient; its capacity is at least the source's batch size.</param>
    /// <param name="source">The training rows; every evaluation reads epoch 0's order.</param>
    /// <param name="layout">The network's shape.</param>
    /// <param name="l2Regularization">λ.</param>
    /// <param name="checkAlive">Runs before every chunk; throws to stop (cancellation).</param>
    /// <param name="reduction">Combines the data part of the gradient across workers; one process when null.</param>
    public FullBatchObjective(BackpropTrainer trainer, IMinibatchSource source, NetworkLayout layout, float l2Regularization, Action checkAlive,
        IWorkerReduction? reduction = null)
    {
        _reduction = reduction ?? SingleProcessReduction.Instance;
        _trainer = trainer;
        _source = source;
        _layout = layout;
        _l2 = l2Regularization;
        _checkAlive = checkAlive;
    }

    /// <summary>The weighted mean loss of the rows (without the L2 term) at the last evaluated point.</summary>
    public double LastDataLoss { get; private set; }

    /// <summary>Evaluations so far.</summary>
    public int Evaluations { get; private set; }

    /// <summary>Fills <paramref name="gradient"/> with the objective's gradient at <paramref name="parameters"/> and returns its value.</summary>
    public double Evaluate(float[] parameters, Span<float> gradient)
    {
        if (gradient.Length != _layout.ParameterCount || parameters.Length != _layout.ParameterCount)
            throw new ArgumentException($"The objective has {_layout.ParameterCount} parameters; got {parameters.Length} parameters and a gradient of {gradient.Length}.");
        gradient.Clear();
        double total = _source.WeightSum, lossSum = 0;
        _source.BeginEpoch(0);
        while (_source.Next(_trainer.Batch, out int rows, out double weight))
        {
            _checkAlive();
            if (weight == 0)
                continue;
            lossSum += _trainer.ComputeGradients(parameters, rows);
            float share = (float)(weight / total);
            float[] chunk = _trainer.Gradients;
            for (int layer = 0; layer < _layout.LayerCount; layer++)
            {
                if (layer == 0 && _trainer.FirstLayerRows is { } sparse)
                {
                    int width = sparse.Width, offset = _layout.WeightOffset(0);
                    ReadOnlySpan<int> slots = sparse.Slots;
                    for (int i = 0; i < slots.Length; i++)
                    {
                        Span<float> target = gradient.Slice(offset + slots[i] * width, width);
                        TensorPrimitives.MultiplyAdd(sparse.Row(i), share, target, target);
                    }
                }
                else
                {
                    AddScaled(chunk, gradient, _layout.WeightOffset(layer), _layout.WeightCount(layer), share);
                }
                AddScaled(chunk, gradient, _layout.BiasOffset(layer), _layout.OutputsOf(layer), share);
            }
        }
        // The data part, over this worker's rows, becomes the one over every worker's rows; the penalty is added after.
        _reduction.CombineGradient(gradient, null, ref lossSum, ref total);
        double penalty = 0;
        if (_l2 > 0)
        {
            for (int layer = 0; layer < _layout.LayerCount; layer++)
            {
                ReadOnlySpan<float> w = parameters.AsSpan(_layout.WeightOffset(layer), _layout.WeightCount(layer));
                Span<float> g = gradient.Slice(_layout.WeightOffset(layer), _layout.WeightCount(layer));
                penalty += TensorPrimitives.Dot(w, w);
                TensorPrimitives.MultiplyAdd(w, _l2, g, g);
            }
            penalty *= 0.5 * _l2;
        }
        Evaluations++;
        LastDataLoss = lossSum / total;
        return LastDataLoss + penalty;
    }

    private static void AddScaled(float[] source, Span<float> target, int offset, int length, float scale)
    {
        Span<float> t = target.Slice(offset, length);
        TensorPrimitives.MultiplyAdd(source.AsSpan(offset, length), scale, t, t);
    }
}
