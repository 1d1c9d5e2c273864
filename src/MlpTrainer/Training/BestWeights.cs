using System.Runtime.CompilerServices;
using MlpTrainer.Layers;
using MlpTrainer.Model;

namespace MlpTrainer.Training;

/// <summary>
/// The weights of the best epoch so far, for early stopping with <see cref="MlpOptions.RestoreBestWeights"/>. One buffer,
/// refilled at every improving epoch. With a sparse first layer, only the first-layer rows of the slots that took a step
/// since the last copy are copied again (plus the dense layers): a hashed model's hundreds of millions of first-layer
/// weights are copied whole once, not at every epoch.
/// </summary>
internal sealed class BestWeights
{
    private readonly NetworkLayout _layout;
    private readonly bool[] _changed;   // first-layer slots stepped since the last copy (sparse first layer only)
    private readonly List<int> _changedSlots = new();
    private bool _whole = true;         // the next copy must be whole

    public BestWeights(NetworkLayout layout)
    {
        _layout = layout;
        _changed = new bool[layout.InputMajorFirstLayer ? layout.InputSize : 0];
    }

    /// <summary>The best epoch's weights, or null before the first copy.</summary>
    public float[]? Values { get; private set; }

    /// <summary>Continues from a checkpoint's best weights (the next copy is whole, since which rows differ is not known).</summary>
    public void Restore(float[]? values)
    {
        Values = values;
        _whole = true;
    }

    /// <summary>Notes the first-layer slots a lazy step just updated.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void NoteStep(SparseRowGradient? firstLayerRows)
    {
        if (firstLayerRows is null || _whole)
            return;
        foreach (int slot in firstLayerRows.Slots)
        {
            if (!_changed[slot])
            {
                _changed[slot] = true;
                _changedSlots.Add(slot);
            }
        }
    }

    /// <summary>Makes <paramref name="parameters"/> the best weights.</summary>
    public void Take(float[] parameters)
    {
        if (Values is null || _whole || !_layout.InputMajorFirstLayer)
        {
            Values ??= GC.AllocateUninitializedArray<float>(parameters.Length);
            parameters.CopyTo(Values, 0);
        }
        else
        {
            int width = _layout.OutputsOf(0);
            foreach (int slot in _changedSlots)
                parameters.AsSpan(slot * width, width).CopyTo(Values.AsSpan(slot * width, width));
            int dense = _layout.WeightCount(0);
            parameters.AsSpan(dense).CopyTo(Values.AsSpan(dense));
        }
        foreach (int slot in _changedSlots)
            _changed[slot] = false;
        _changedSlots.Clear();
        _whole = false;
    }
}
