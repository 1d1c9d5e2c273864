namespace MlpTrainer.Data;

/// <summary>
/// Training rows held in memory as dense float features with a class index per row. Rows are stored in
/// fixed-size chunks rather than one array, so loading never needs a second copy of the data to grow into and
/// no single array has to hold the whole set.
/// </summary>
internal sealed class DenseDataset
{
    /// <summary>A chunk holds at most this many floats (4 MiB), so a small dataset never allocates much more than it needs.</summary>
    private const int MaxChunkFloats = 1 << 20;

    private readonly int _chunkShift;

    private readonly List<float[]> _chunks = new();
    private readonly List<int> _labels = new();

    public DenseDataset(int featureCount, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        FeatureCount = featureCount;
        ClassCount = classCount;
        // Rows per chunk: a power of two, so that a row's chunk and position are a shift and a mask.
        _chunkShift = Math.Max(0, System.Numerics.BitOperations.Log2((uint)Math.Max(1, MaxChunkFloats / featureCount)));
    }

    /// <summary>Rows per storage chunk (a power of two).</summary>
    public int RowsPerChunk => 1 << _chunkShift;

    public int FeatureCount { get; }

    public int ClassCount { get; }

    public int RowCount { get; private set; }

    /// <summary>Appends one row; <paramref name="label"/> is a class index from 0 to ClassCount − 1.</summary>
    public void Add(ReadOnlySpan<float> features, int label)
    {
        if (features.Length != FeatureCount)
            throw new ArgumentException($"A row has {features.Length} features; the dataset holds {FeatureCount}.", nameof(features));
        if ((uint)label >= (uint)ClassCount)
            throw new ArgumentOutOfRangeException(nameof(label), label, $"Classes are 0 to {ClassCount - 1}.");
        int slot = RowCount & (RowsPerChunk - 1);
        if (slot == 0)
            _chunks.Add(new float[(long)RowsPerChunk * FeatureCount]);
        features.CopyTo(_chunks[^1].AsSpan(slot * FeatureCount, FeatureCount));
        _labels.Add(label);
        RowCount++;
    }

    public ReadOnlySpan<float> Row(int row)
    {
        if ((uint)row >= (uint)RowCount)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"The dataset has {RowCount} rows.");
        return _chunks[row >> _chunkShift].AsSpan((row & (RowsPerChunk - 1)) * FeatureCount, FeatureCount);
    }

    public int Label(int row) => _labels[row];

    /// <summary>Copies the given rows, in order, into a row-major minibatch and its labels.</summary>
    public void Gather(ReadOnlySpan<int> rows, Span<float> features, Span<int> labels)
    {
        int d = FeatureCount;
        for (int i = 0; i < rows.Length; i++)
        {
            Row(rows[i]).CopyTo(features.Slice(i * d, d));
            labels[i] = _labels[rows[i]];
        }
    }
}
