using MlpTrainer.Kernels;
using MlpTrainer.Model;

namespace MlpTrainer.Optimizers;

/// <summary>
/// Updates the network's flat parameter vector from the gradient of one minibatch. The L2 penalty λ/2·Σw²
/// is applied here, as λ·w added to the gradient of the weights (never to the biases), fused into the same
/// pass over memory as the update.
/// </summary>
internal abstract class Optimizer : IParallelJob
{
    /// <summary>Below this many parameters an update runs on the calling thread: waking a worker would cost more.</summary>
    private const int ParallelThreshold = 1 << 15;

    /// <summary>Parts of a segment start at multiples of this many elements, so every element takes the same vector or scalar path however the update is split.</summary>
    private const int PartAlignment = 64;

    private readonly NetworkLayout _layout;
    private readonly float _l2;
    private float[]? _stepParameters, _stepGradients;

    protected Optimizer(NetworkLayout layout, float l2Regularization)
    {
        _layout = layout;
        _l2 = l2Regularization;
    }

    /// <summary>Updates taken so far.</summary>
    public long StepCount { get; private set; }

    public static Optimizer Create(MlpOptions options, NetworkLayout layout) => options.Optimizer switch
    {
        MlpOptimizer.Sgd => new SgdOptimizer(layout, options.L2Regularization, options.Momentum, options.UseNesterov),
        MlpOptimizer.Adam => new AdamOptimizer(layout, options.L2Regularization, options.Beta1, options.Beta2, options.Epsilon, decoupledDecay: false),
        MlpOptimizer.AdamW => new AdamOptimizer(layout, options.L2Regularization, options.Beta1, options.Beta2, options.Epsilon, decoupledDecay: true),
        MlpOptimizer.RmsProp => new RmsPropOptimizer(layout, options.L2Regularization, options.RmsPropDecay, options.Epsilon),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "Unknown optimizer."),
    };

    /// <summary>The optimizer's per-parameter state (moments, velocities), each array laid out like the parameter vector.</summary>
    public abstract IReadOnlyList<float[]> StateArrays { get; }

    /// <summary>Restores the state a checkpoint saved: the step count and the contents of <see cref="StateArrays"/>.</summary>
    public void RestoreState(long stepCount, IReadOnlyList<float[]> arrays)
    {
        IReadOnlyList<float[]> mine = StateArrays;
        if (arrays.Count != mine.Count)
            throw new InvalidDataException($"{GetType().Name} keeps {mine.Count} state arrays; the checkpoint holds {arrays.Count}.");
        for (int i = 0; i < mine.Count; i++)
        {
            if (arrays[i].Length != mine[i].Length)
                throw new InvalidDataException($"{GetType().Name} state array {i} has {mine[i].Length} values; the checkpoint holds {arrays[i].Length}.");
            arrays[i].CopyTo(mine[i], 0);
        }
        StepCount = stepCount;
    }

    /// <summary>
    /// One update of every parameter with step size <paramref name="learningRate"/>, split over the threads of
    /// <paramref name="engine"/> when there is one and the network is large. Each element's arithmetic is the same
    /// whatever the split, so the result does not depend on the number of threads.
    /// </summary>
    public void Step(float[] parameters, float[] gradients, float learningRate, GemmEngine? engine = null)
    {
        if (parameters.Length != _layout.ParameterCount || gradients.Length != _layout.ParameterCount)
            throw new ArgumentException($"The optimizer was built for {_layout.ParameterCount} parameters; got {parameters.Length} parameters and {gradients.Length} gradients.");
        StepCount++;
        BeginStep(StepCount, learningRate);
        _stepParameters = parameters;
        _stepGradients = gradients;
        try
        {
            if (engine is null || engine.Threads == 1 || parameters.Length < ParallelThreshold)
                Run(0, 1);
            else
                engine.RunParallel(this);
        }
        finally
        {
            _stepParameters = _stepGradients = null;
        }
    }

    /// <summary>Updates part <paramref name="part"/> of every weight and bias segment: its share, aligned, of each.</summary>
    public void Run(int part, int parts)
    {
        float[] parameters = _stepParameters!, gradients = _stepGradients!;
        for (int layer = 0; layer < _layout.LayerCount; layer++)
        {
            UpdatePart(parameters, gradients, _layout.WeightOffset(layer), _layout.WeightCount(layer), _l2, part, parts);
            UpdatePart(parameters, gradients, _layout.BiasOffset(layer), _layout.OutputsOf(layer), 0f, part, parts);
        }
    }

    private void UpdatePart(float[] parameters, float[] gradients, int offset, int length, float decay, int part, int parts)
    {
        int share = (length + parts - 1) / parts;
        share = (share + PartAlignment - 1) / PartAlignment * PartAlignment;
        int start = Math.Min(length, part * share), end = Math.Min(length, start + share);
        if (start < end)
            Update(parameters.AsSpan(offset + start, end - start), gradients.AsSpan(offset + start, end - start), offset + start, decay);
    }

    /// <summary>Called once per step before the segments are updated; <paramref name="step"/> counts from 1.</summary>
    protected abstract void BeginStep(long step, float learningRate);

    /// <summary>
    /// Updates one contiguous segment of parameters. <paramref name="stateOffset"/> is the segment's offset in
    /// the parameter vector, which is also its offset in the optimizer's state arrays.
    /// </summary>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int stateOffset, float decay);
}
