using System.Runtime.CompilerServices;
using Microsoft.ML.Data;

namespace MlpTrainer.Data;

/// <summary>
/// The rows of one minibatch as the first layer reads them: a row-major dense matrix for a dense first layer, or
/// compressed sparse rows for a sparse one, with each row's target and weight. Sources fill rows 0, 1, 2, … in order
/// through <see cref="SetFeatures(int, ReadOnlySpan{float})"/> or <see cref="SetFeatures(int, ReadOnlySpan{int}, ReadOnlySpan{float})"/>,
/// whatever form their own rows have; the buffers are allocated once and reused.
/// </summary>
internal sealed class Minibatch
{
    private readonly float[] _dense;

    /// <param name="capacity">The most rows.</param>
    /// <param name="featureCount">Features per row.</param>
    /// <param name="sparse">Hold the features as sparse rows rather than a dense matrix.</param>
    public Minibatch(int capacity, int featureCount, bool sparse)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        Capacity = capacity;
        FeatureCount = featureCount;
        _dense = sparse ? Array.Empty<float>() : new float[checked(capacity * featureCount)];
        Sparse = sparse ? new SparseRows(capacity) : null;
        Targets = new float[capacity];
        Weights = new float[capacity];
        Weights.AsSpan().Fill(1f);
    }

    public int Capacity { get; }

    public int FeatureCount { get; }

    /// <summary>The dense rows, row-major (empty for sparse minibatches).</summary>
    public float[] Dense => _dense;

    /// <summary>The sparse rows (null for dense minibatches).</summary>
    public SparseRows? Sparse { get; }

    public float[] Targets { get; }

    public float[] Weights { get; }

    /// <summary>
    /// The engine whose threads may copy dense rows into this minibatch together (<see cref="ParallelRowGather"/>); null
    /// for the calling thread alone. It must be free whenever a source fills the minibatch.
    /// </summary>
    public Kernels.GemmEngine? Engine { get; set; }

    /// <summary>
    /// The network's feature standardisation, applied to every dense row as it is written (training and validation rows
    /// alike, in memory or streamed); null for none.
    /// </summary>
    public FeatureStandardization? Standardization { get; set; }

    /// <summary>Writes row <paramref name="row"/>'s features from a dense row; rows are written in order from 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SetFeatures(int row, ReadOnlySpan<float> features)
    {
        if (Sparse is { } sparse)
        {
            if (row == 0)
                sparse.Clear();
            sparse.AppendDense(features);
        }
        else
        {
            Span<float> target = _dense.AsSpan(row * FeatureCount, FeatureCount);
            features.CopyTo(target);
            Standardization?.Apply(target);
        }
    }

    /// <summary>Writes row <paramref name="row"/>'s features from a vector of <see cref="FeatureCount"/> values, dense or sparse; rows are written in order from 0.</summary>
    public void SetFeatures(int row, in VBuffer<float> features)
    {
        if (features.IsDense)
            SetFeatures(row, features.GetValues());
        else
            SetFeatures(row, features.GetIndices(), features.GetValues());
    }

    /// <summary>
    /// Writes row <paramref name="row"/>'s features from its non-zero <paramref name="indices"/> and <paramref name="values"/>;
    /// rows are written in order from 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SetFeatures(int row, ReadOnlySpan<int> indices, ReadOnlySpan<float> values)
    {
        if (Sparse is { } sparse)
        {
            if (row == 0)
                sparse.Clear();
            sparse.Append(indices, values);
        }
        else
        {
            Span<float> target = _dense.AsSpan(row * FeatureCount, FeatureCount);
            SparseVector.Scatter(indices, values, target);
            Standardization?.Apply(target);
        }
    }
}
