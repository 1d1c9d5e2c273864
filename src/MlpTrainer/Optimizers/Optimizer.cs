using System.Runtime.CompilerServices;
using MlpTrainer.Kernels;
using MlpTrainer.Model;

namespace MlpTrainer.Optimizers;

/// <summary>
/// Updates the network's flat parameter vector from the gradient of one minibatch. The L2 penalty λ/2·Σw²
/// is applied here, as λ·w added to the gradient of the weights (never to the biases), fused into the same
/// pass over memory as the update.
/// <para>
/// A sparse first layer is updated lazily, as PyTorch's <c>SparseAdam</c> and TensorFlow's <c>LazyAdam</c> do: only the
/// weight rows of the input slots present in the minibatch take a step, with the same per-element arithmetic as a dense
/// step (so on a minibatch where every slot occurs the two are identical). The rows of absent slots are left as they
/// are: their moments and velocities are not decayed, momentum does not carry them on, and L2 (or AdamW's decay) does
/// not shrink them in that step; Adam's bias correction still counts every step. Biases and deeper layers are dense.
/// </para>
/// </summary>
internal abstract class Optimizer : IParallelJob
{
    /// <summary>Below this many parameters an update runs on the calling thread: waking a worker would cost more.</summary>
    private const int ParallelThreshold = 1 << 15;

    /// <summary>Parts of a segment start at multiples of this many elements, so every element takes the same vector or scalar path however the update is split.</summary>
    private const int PartAlignment = 64;

    private readonly NetworkLayout _layout;
    private readonly float _l2;
    private readonly bool[]? _stateRowWritten; // input-major first layer: slots whose state rows have been written
    private bool _everyStateRowWritten;
    private IReadOnlyList<float[]>? _state;
    private float[]? _stepParameters, _stepGradients;
    private Layers.SparseRowGradient? _stepRows;

    protected Optimizer(NetworkLayout layout, float l2Regularization)
    {
        _layout = layout;
        _l2 = l2Regularization;
        if (layout.InputMajorFirstLayer)
            _stateRowWritten = new bool[layout.InputSize];
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
        if (_stateRowWritten is not null)
        {
            Array.Fill(_stateRowWritten, true); // every row holds the checkpoint's values now
            _everyStateRowWritten = true;
        }
    }

    /// <summary>
    /// A new state array, zeroed, laid out like the parameter vector, with its pages mapped except those of a sparse
    /// first layer's rows (<see cref="StateArray"/>; those rows are written before their first read instead).
    /// </summary>
    protected float[] NewStateArray()
        => StateArray.Create(_layout.ParameterCount, _layout.InputMajorFirstLayer ? _layout.WeightCount(0) : 0);

    /// <summary>
    /// One update of every parameter with step size <paramref name="learningRate"/>, split over the threads of
    /// <paramref name="engine"/> when there is one and the network is large. Each element's arithmetic is the same
    /// whatever the split, so the result does not depend on the number of threads. With <paramref name="firstLayerRows"/>,
    /// the first layer is input-major and its weights take a lazy step from these rows alone (the first layer's weight
    /// part of <paramref name="gradients"/> is not read).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Step(float[] parameters, float[] gradients, float learningRate, GemmEngine? engine = null, Layers.SparseRowGradient? firstLayerRows = null)
    {
        if (firstLayerRows is not null && !_layout.InputMajorFirstLayer)
            throw new ArgumentException("Sparse first-layer rows need an input-major first layer.", nameof(firstLayerRows));
        if (parameters.Length != _layout.ParameterCount || gradients.Length != _layout.ParameterCount)
            throw new ArgumentException($"The optimizer was built for {_layout.ParameterCount} parameters; got {parameters.Length} parameters and {gradients.Length} gradients.");
        if (firstLayerRows is null && _stateRowWritten is { } written && !_everyStateRowWritten)
        {
            Array.Fill(written, true); // this step reads and writes the whole first layer's state
            _everyStateRowWritten = true;
        }
        StepCount++;
        BeginStep(StepCount, learningRate);
        _stepParameters = parameters;
        _stepGradients = gradients;
        _stepRows = firstLayerRows;
        try
        {
            long work = firstLayerRows is null ? parameters.Length : parameters.Length - _layout.WeightCount(0) + (long)firstLayerRows.Count * firstLayerRows.Width;
            if (engine is null || engine.Threads == 1 || work < ParallelThreshold)
                Run(0, 1);
            else
                engine.RunParallel(this);
        }
        finally
        {
            _stepParameters = _stepGradients = null;
            _stepRows = null;
        }
    }

    /// <summary>Updates part <paramref name="part"/> of every weight and bias segment: its share, aligned, of each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(int part, int parts)
    {
        float[] parameters = _stepParameters!, gradients = _stepGradients!;
        for (int layer = 0; layer < _layout.LayerCount; layer++)
        {
            if (layer == 0 && _stepRows is { } rows)
                UpdateRowsPart(parameters, rows, part, parts);
            else
                UpdatePart(parameters, gradients, _layout.WeightOffset(layer), _layout.WeightCount(layer), _l2, part, parts);
            UpdatePart(parameters, gradients, _layout.BiasOffset(layer), _layout.OutputsOf(layer), 0f, part, parts);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void UpdatePart(float[] parameters, float[] gradients, int offset, int length, float decay, int part, int parts)
    {
        int share = (length + parts - 1) / parts;
        share = (share + PartAlignment - 1) / PartAlignment * PartAlignment;
        int start = Math.Min(length, part * share), end = Math.Min(length, start + share);
        if (start < end)
            Update(parameters.AsSpan(offset + start, end - start), gradients.AsSpan(offset + start, end - start), offset + start, decay);
    }

    /// <summary>Updates part <paramref name="part"/> of the touched rows of an input-major first layer: each row a segment of its own.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void UpdateRowsPart(float[] parameters, Layers.SparseRowGradient rows, int part, int parts)
    {
        int share = (rows.Count + parts - 1) / parts;
        int start = Math.Min(rows.Count, part * share), end = Math.Min(rows.Count, start + share);
        if (start >= end)
            return;
        WriteNewStateRows(rows, start, end);
        UpdateRows(parameters, rows, start, end, _layout.WeightOffset(0), _l2);
    }

    /// <summary>
    /// Writes zeros over the state rows of the slots among rows [<paramref name="start"/>, <paramref name="end"/>) that
    /// have never been written, so that the update's first touch of their memory is a write. Their values are zeros
    /// already (nothing has written them); a first touch that reads would map the zero page and the update's write then
    /// fault a second time and flush the other cores' TLBs. Parts of a parallel step hold different slots.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteNewStateRows(Layers.SparseRowGradient rows, int start, int end)
    {
        if (_everyStateRowWritten)
            return;
        bool[] written = _stateRowWritten!;
        IReadOnlyList<float[]> state = _state ??= StateArrays;
        if (state.Count == 0)
            return;
        int width = rows.Width, offset = _layout.WeightOffset(0);
        ReadOnlySpan<int> slots = rows.Slots;
        for (int i = start; i < end; i++)
        {
            int slot = slots[i];
            if (written[slot])
                continue;
            written[slot] = true;
            for (int a = 0; a < state.Count; a++)
                state[a].AsSpan(offset + slot * width, width).Clear();
        }
    }

    /// <summary>
    /// Updates touched rows [<paramref name="start"/>, <paramref name="end"/>) of an input-major first layer whose weights
    /// start at <paramref name="offset"/>: row i is the segment of slot <c>rows.Slots[i]</c>, updated as
    /// <see cref="Update"/> updates it. An optimizer may override this with one loop over the rows that gives the same
    /// bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected virtual void UpdateRows(float[] parameters, Layers.SparseRowGradient rows, int start, int end, int offset, float decay)
    {
        int width = rows.Width;
        ReadOnlySpan<int> slots = rows.Slots;
        for (int i = start; i < end; i++)
        {
            int at = offset + slots[i] * width;
            Update(parameters.AsSpan(at, width), rows.Row(i), at, decay);
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
