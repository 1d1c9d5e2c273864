using System.Runtime.CompilerServices;
using System.IO.Hashing;
using Microsoft.ML.Data;

namespace MlpTrainer.Data;

/// <summary>
/// Training rows held in memory: each row's features (dense in <see cref="DenseDataset"/>, compressed sparse rows in
/// <see cref="SparseDataset"/>), a target per row (the class index for classification, 0 or 1 for binary, the value for
/// regression) and a weight per row.
/// </summary>
internal abstract class RowDataset
{
    private readonly List<float> _targets = new();
    private readonly List<float> _weights = new();

    /// <param name="featureCount">Features per row.</param>
    /// <param name="classCount">Classes for classification (targets are 0 to classCount − 1), or 0 for real-valued targets.</param>
    protected RowDataset(int featureCount, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(classCount);
        FeatureCount = featureCount;
        ClassCount = classCount;
    }

    /// <summary>An empty dataset that holds rows dense or, with <paramref name="sparse"/>, as their non-zeros only.</summary>
    public static RowDataset Create(int featureCount, int classCount, bool sparse)
        => sparse ? new SparseDataset(featureCount, classCount) : new DenseDataset(featureCount, classCount);

    public int FeatureCount { get; }

    /// <summary>The number of classes, or 0 when targets are real values (regression).</summary>
    public int ClassCount { get; }

    public int RowCount => _targets.Count;

    /// <summary>True once a row with a weight other than 1 was added.</summary>
    public bool HasWeights { get; private set; }

    /// <summary>Bytes the rows take in memory, approximately.</summary>
    public abstract long Bytes { get; }

    /// <summary>Appends one row whose features are a vector of <see cref="FeatureCount"/> values, dense or sparse.</summary>
    public void Add(in VBuffer<float> features, float target, float weight)
    {
        if (features.Length != FeatureCount)
            throw new ArgumentException($"A row has {features.Length} features; the dataset holds {FeatureCount}.", nameof(features));
        CheckTargetAndWeight(target, weight);
        if (features.IsDense)
            AddFeatures(features.GetValues());
        else
            AddFeatures(features.GetIndices(), features.GetValues());
        AddTargetAndWeight(target, weight);
    }

    /// <summary>The class of a row (classification).</summary>
    public int Label(int row) => (int)_targets[row];

    public float Target(int row) => _targets[row];

    public float Weight(int row) => _weights[row];

    /// <summary>
    /// Writes the given rows, in order, into <paramref name="batch"/> from its row 0, with their targets and weights;
    /// returns the sum of their weights.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Gather(ReadOnlySpan<int> rows, Minibatch batch)
    {
        for (int i = 0; i < rows.Length; i++)
            WriteFeatures(rows[i], batch, i);
        return GatherTargetsAndWeights(rows, batch);
    }

    /// <summary>
    /// Writes the targets and weights of the given rows, in order, into <paramref name="batch"/> from its row 0 (their
    /// features written elsewhere, <see cref="ParallelRowGather"/>); returns the sum of their weights.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double GatherTargetsAndWeights(ReadOnlySpan<int> rows, Minibatch batch)
    {
        double weightSum = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            int row = rows[i];
            batch.Targets[i] = _targets[row];
            batch.Weights[i] = _weights[row];
            weightSum += _weights[row];
        }
        return weightSum;
    }

    /// <summary>Adds a row's features and their order to a hash (run fingerprints).</summary>
    public abstract void AppendFeatures(XxHash64 hash, int row);

    /// <summary>Multiplies the weight of every row of class c by <paramref name="classWeights"/>[c].</summary>
    public void ScaleWeightsByClass(IReadOnlyList<float> classWeights)
    {
        if (classWeights.Count != ClassCount)
            throw new ArgumentException($"{classWeights.Count} class weights for {ClassCount} classes.", nameof(classWeights));
        for (int row = 0; row < RowCount; row++)
            _weights[row] *= classWeights[(int)_targets[row]];
        HasWeights = true;
    }

    /// <summary>Rows per class (classification).</summary>
    public long[] ClassCounts()
    {
        var counts = new long[ClassCount];
        for (int row = 0; row < RowCount; row++)
            counts[(int)_targets[row]]++;
        return counts;
    }

    /// <summary>Replaces every target t by (t − offset) / scale: standardises regression targets.</summary>
    public void TransformTargets(double offset, double scale)
    {
        for (int row = 0; row < RowCount; row++)
            _targets[row] = (float)((_targets[row] - offset) / scale);
    }

    /// <summary>Appends a dense row's features.</summary>
    protected abstract void AddFeatures(ReadOnlySpan<float> dense);

    /// <summary>Appends a sparse row's features: its slots (ascending) and their values.</summary>
    protected abstract void AddFeatures(ReadOnlySpan<int> indices, ReadOnlySpan<float> values);

    /// <summary>Writes the features of <paramref name="row"/> as row <paramref name="position"/> of <paramref name="batch"/>.</summary>
    protected abstract void WriteFeatures(int row, Minibatch batch, int position);

    protected void CheckTargetAndWeight(float target, float weight)
    {
        if (ClassCount > 0 && (target != (int)target || (uint)(int)target >= (uint)ClassCount))
            throw new ArgumentOutOfRangeException(nameof(target), target, $"Classes are 0 to {ClassCount - 1}.");
        if (!float.IsFinite(target))
            throw new ArgumentOutOfRangeException(nameof(target), target, "A target must be finite.");
        if (!(weight >= 0 && float.IsFinite(weight)))
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "A weight must be 0 or more and finite.");
    }

    protected void AddTargetAndWeight(float target, float weight)
    {
        _targets.Add(target);
        _weights.Add(weight);
        HasWeights |= weight != 1f;
    }

    /// <summary>Bytes for the targets and weights.</summary>
    protected long TargetAndWeightBytes => 2L * sizeof(float) * RowCount;
}
