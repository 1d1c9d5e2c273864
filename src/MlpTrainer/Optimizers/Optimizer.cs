using MlpTrainer.Model;

namespace MlpTrainer.Optimizers;

/// <summary>
/// Updates the network's flat parameter vector from the gradient of one minibatch. The L2 penalty λ/2·Σw²
/// is applied here, as λ·w added to the gradient of the weights (never to the biases), fused into the same
/// pass over memory as the update.
/// </summary>
internal abstract class Optimizer
{
    private readonly NetworkLayout _layout;
    private readonly float _l2;

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

    /// <summary>One update of every parameter with step size <paramref name="learningRate"/>.</summary>
    public void Step(float[] parameters, float[] gradients, float learningRate)
    {
        if (parameters.Length != _layout.ParameterCount || gradients.Length != _layout.ParameterCount)
            throw new ArgumentException($"The optimizer was built for {_layout.ParameterCount} parameters; got {parameters.Length} parameters and {gradients.Length} gradients.");
        StepCount++;
        BeginStep(StepCount, learningRate);
        for (int layer = 0; layer < _layout.LayerCount; layer++)
        {
            int w = _layout.WeightOffset(layer), wn = _layout.WeightCount(layer);
            Update(parameters.AsSpan(w, wn), gradients.AsSpan(w, wn), w, _l2);
            int b = _layout.BiasOffset(layer), bn = _layout.OutputsOf(layer);
            Update(parameters.AsSpan(b, bn), gradients.AsSpan(b, bn), b, 0f);
        }
    }

    /// <summary>Called once per step before the segments are updated; <paramref name="step"/> counts from 1.</summary>
    protected abstract void BeginStep(long step, float learningRate);

    /// <summary>
    /// Updates one contiguous segment of parameters. <paramref name="stateOffset"/> is the segment's offset in
    /// the parameter vector, which is also its offset in the optimizer's state arrays.
    /// </summary>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int stateOffset, float decay);
}
