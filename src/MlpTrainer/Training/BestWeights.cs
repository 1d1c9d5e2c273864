using System.Runtime.CompilerServices;
using MlpTrainer.Layers;
using MlpTrainer.Model;

namespace MlpTrainer.Training;

/// <summary>
/// The weights of the best epoch so far, for early stopping with <see cref="MlpOptions.RestoreBestWeights"/>.
/// <para>
/// A dense network is copied whole at every improving epoch. A sparse (input-major) first layer can hold hundreds of
/// millions of weights of which an epoch touches a few rows, so it is kept copy-before-write instead: taking the best
/// copies only the other layers, and before a lazy step changes a first-layer row for the first time since, that row's
/// old values are saved. The best weights are then the current ones with the saved rows put back. Taking the best
/// costs nothing per first-layer weight; the saved rows grow with the slots touched since the best epoch (every epoch
/// since, not one), and at worst hold the whole layer.
/// </para>
/// </summary>
internal sealed class BestWeights
{
    private readonly bool _rowWise;     // the first layer is input-major and kept copy-before-write
    private readonly int _width;        // a first-layer row: the first layer's units
    private readonly int _firstLayer;   // the first layer's weights, which come first in the parameter vector

    private float[]? _whole;            // the best weights whole: a dense network, or a checkpoint's until the next Take
    private float[]? _rest;             // row-wise: everything after the first layer's weights
    private bool[] _saved;              // row-wise: first-layer slots whose best row is in _savedRows
    private readonly List<int> _savedSlots = new();
    private float[] _savedRows = Array.Empty<float>();

    public BestWeights(NetworkLayout layout)
    {
        _rowWise = layout.InputMajorFirstLayer;
        _width = layout.OutputsOf(0);
        _firstLayer = _rowWise ? layout.WeightCount(0) : 0;
        _saved = _rowWise ? new bool[layout.InputSize] : Array.Empty<bool>();
    }

    /// <summary>Whether a best epoch has been taken (or restored from a checkpoint).</summary>
    public bool HasBest => _whole is not null || _rest is not null;

    /// <summary>Continues from a checkpoint's best weights, or with none.</summary>
    public void Resume(float[]? values)
    {
        _whole = values;
        _rest = null;
        ForgetSavedRows();
        _savedRows = Array.Empty<float>();
    }

    /// <summary>
    /// Call before every optimizer step. Saves the best values of the first-layer rows the step is about to change for
    /// the first time since the best was taken; a step over the whole first layer (no rows) keeps the best whole.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void BeforeStep(float[] parameters, SparseRowGradient? firstLayerRows)
    {
        if (_rest is null)
            return; // nothing taken yet, or the best is held whole
        if (firstLayerRows is null)
        {
            _whole = ToArray(parameters);
            _rest = null;
            ForgetSavedRows();
            _savedRows = Array.Empty<float>(); // the whole copy replaces them
            return;
        }
        foreach (int slot in firstLayerRows.Slots)
        {
            if (_saved[slot])
                continue;
            _saved[slot] = true;
            int at = _savedSlots.Count * _width;
            if (at + _width > _savedRows.Length)
                Array.Resize(ref _savedRows, (int)Math.Min(_firstLayer, Math.Max(2L * _savedRows.Length, 64L * _width)));
            _savedSlots.Add(slot);
            parameters.AsSpan(slot * _width, _width).CopyTo(_savedRows.AsSpan(at, _width));
        }
    }

    /// <summary>Makes <paramref name="parameters"/> the best weights.</summary>
    public void Take(float[] parameters)
    {
        if (!_rowWise)
        {
            _whole ??= GC.AllocateUninitializedArray<float>(parameters.Length);
            parameters.CopyTo(_whole, 0);
            return;
        }
        _whole = null;
        _rest ??= GC.AllocateUninitializedArray<float>(parameters.Length - _firstLayer);
        parameters.AsSpan(_firstLayer).CopyTo(_rest);
        ForgetSavedRows();
    }

    /// <summary>Overwrites <paramref name="parameters"/> with the best weights, which then stay the best.</summary>
    public void CopyTo(float[] parameters)
    {
        if (_whole is not null)
        {
            _whole.CopyTo(parameters, 0);
            return;
        }
        if (_rest is null)
            throw new InvalidOperationException("No best weights have been taken.");
        PutSavedRows(parameters);
        _rest.CopyTo(parameters.AsSpan(_firstLayer));
        ForgetSavedRows();
    }

    /// <summary>
    /// The best weights as one vector (for a checkpoint), or null when none has been taken. A dense network's (or a
    /// checkpoint's) best is returned as held, not copied: read it before the next <see cref="Take"/>.
    /// </summary>
    public float[]? ToArray(float[] parameters)
    {
        if (_whole is not null || _rest is null)
            return _whole;
        float[] best = GC.AllocateUninitializedArray<float>(parameters.Length);
        parameters.AsSpan(0, _firstLayer).CopyTo(best);
        PutSavedRows(best);
        _rest.CopyTo(best.AsSpan(_firstLayer));
        return best;
    }

    private void PutSavedRows(float[] target)
    {
        for (int i = 0; i < _savedSlots.Count; i++)
            _savedRows.AsSpan(i * _width, _width).CopyTo(target.AsSpan(_savedSlots[i] * _width, _width));
    }

    private void ForgetSavedRows()
    {
        foreach (int slot in _savedSlots)
            _saved[slot] = false;
        _savedSlots.Clear();
    }
}
