namespace MlpTrainer.Data;

/// <summary>
/// Training rows held in memory: dense float features, a target per row (the class index for classification,
/// 0 or 1 for binary, the value for regression) and a weight per row. Rows are stored in chunks rather than one
/// array, so loading never needs a second copy of the data to grow into and no single array holds the whole set.
/// </summary>
internal sealed class DenseDataset
{
    /// <summary>A chunk holds at most this many floats (4 MiB), so a small dataset never allocates much more than it needs.</summary>
    private const int MaxChunkFloats = 1 << 20;

    private readonly int _chunkShift;
    private readonly List<float[]> _chunks = new();
    private readonly List<float> _targets = new();
    private readonly List<float> _weights = new();

    /// <param name="featureCount">Features per row.</param>
    /// <param name="classCount">Classes for classification (targets are 0 to classCount − 1), or 0 for real-valued targets.</param>
    public DenseDataset(int featureCount, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(classCount);
        FeatureCount = featureCount;
        ClassCount = classCount;
        // Rows per chunk: a power of two, so that a row's chunk and position are a shift and a mask.
        _chunkShift = Math.Max(0, System.Numerics.BitOperations.Log2((uint)Math.Max(1, MaxChunkFloats / featureCount)));
    }

    public int FeatureCount { get; }

    /// <summary>The number of classes, or 0 when targets are real values (regression).</summary>
    public int ClassCount { get; }

    public int RowCount { get; private set; }

    /// <summary>True once a row with a weight other than 1 was added.</summary>
    public bool HasWeights { get; private set; }

    /// <summary>Rows per storage chunk (a power of two).</summary>
    public int RowsPerChunk => 1 << _chunkShift;

    /// <summary>Appends one row of class <paramref name="label"/> (0 to ClassCount − 1) with weight 1.</summary>
    public void Add(ReadOnlySpan<float> features, int label) => Add(features, (float)label, 1f);

    /// <summary>Appends one row; for classification <paramref name="target"/> is the class index.</summary>
    public void Add(ReadOnlySpan<float> features, float target, float weight)
    {
        if (features.Length != FeatureCount)
            throw new ArgumentException($"A row has {features.Length} features; the dataset holds {FeatureCount}.", nameof(features));
        if (ClassCount > 0 && (target != (int)target || (uint)(int)target >= (uint)ClassCount))
            throw new ArgumentOutOfRangeException(nameof(target), target, $"Classes are 0 to {ClassCount - 1}.");
        if (!float.IsFinite(target))
            throw new ArgumentOutOfRangeException(nameof(target), target, "A target must be finite.");
        if (!(weight >= 0 && float.IsFinite(weight)))
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "A weight must be 0 or more and finite.");
        int slot = RowCount & (RowsPerChunk - 1);
        if (slot == 0)
            _chunks.Add(new float[(long)RowsPerChunk * FeatureCount]);
        features.CopyTo(_chunks[^1].AsSpan(slot * FeatureCount, FeatureCount));
        _targets.Add(target);
        _weights.Add(weight);
        HasWeights |= weight != 1f;
        RowCount++;
    }

    public ReadOnlySpan<float> Row(int row)
    {
        if ((uint)row >= (uint)RowCount)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"The dataset has {RowCount} rows.");
        return _chunks[row >> _chunkShift].AsSpan((row & (RowsPerChunk - 1)) * FeatureCount, FeatureCount);
    }

    /// <summary>The class of a row (classification).</summary>
    public int Label(int row) => (int)_targets[row];

    public float Target(int row) => _targets[row];

    public float Weight(int row) => _weights[row];

    /// <summary>
    /// Copies the given rows, in order, into a row-major minibatch with their targets and weights; returns the sum of
    /// their weights.
    /// </summary>
    public double Gather(ReadOnlySpan<int> rows, Span<float> features, Span<float> targets, Span<float> weights)
    {
        int d = FeatureCount;
        double weightSum = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            int row = rows[i];
            Row(row).CopyTo(features.Slice(i * d, d));
            targets[i] = _targets[row];
            weights[i] = _weights[row];
            weightSum += _weights[row];
        }
        return weightSum;
    }

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
}
