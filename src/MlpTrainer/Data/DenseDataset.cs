using System.Runtime.CompilerServices;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace MlpTrainer.Data;

/// <summary>
/// Training rows held in memory as dense float features. Rows are stored in chunks rather than one array, so loading
/// never needs a second copy of the data to grow into and no single array holds the whole set.
/// </summary>
internal sealed class DenseDataset : RowDataset
{
    /// <summary>A chunk holds at most this many floats (4 MiB), so a small dataset never allocates much more than it needs.</summary>
    private const int MaxChunkFloats = 1 << 20;

    private readonly int _chunkShift;
    private readonly List<float[]> _chunks = new();
    private PrefaultedChunks? _prefaulted;
    private bool _released;

    /// <param name="featureCount">Features per row.</param>
    /// <param name="classCount">Classes for classification (targets are 0 to classCount − 1), or 0 for real-valued targets.</param>
    public DenseDataset(int featureCount, int classCount)
        : base(featureCount, classCount)
    {
        // Rows per chunk: a power of two, so that a row's chunk and position are a shift and a mask.
        _chunkShift = Math.Max(0, System.Numerics.BitOperations.Log2((uint)Math.Max(1, MaxChunkFloats / featureCount)));
    }

    public override long Bytes => (long)_chunks.Count * RowsPerChunk * FeatureCount * sizeof(float) + TargetAndWeightBytes;

    /// <summary>
    /// Prepares storage for <paramref name="rows"/> rows on another thread while rows are added (see
    /// <see cref="PrefaultedChunks"/>); call <see cref="EndPreparation"/> when adding is over.
    /// </summary>
    public void PrepareForRows(long rows)
    {
        long chunks = (rows + RowsPerChunk - 1) / RowsPerChunk;
        if (chunks >= 2 && _chunks.Count == 0 && chunks <= int.MaxValue)
            _prefaulted = new PrefaultedChunks((int)chunks, RowsPerChunk * FeatureCount);
    }

    /// <summary>Stops the preparation <see cref="PrepareForRows"/> started.</summary>
    public void EndPreparation()
    {
        _prefaulted?.Stop();
        _prefaulted = null;
    }

    /// <summary>
    /// Hands the storage to <see cref="DenseChunkPool"/> for the next dataset to fill, when the owner is done with the
    /// rows: the dataset has no features any more (reading a row throws), only its targets and weights.
    /// </summary>
    public void Release()
    {
        EndPreparation();
        DenseChunkPool.Return(_chunks);
        _chunks.Clear();
        _released = true;
    }

    /// <summary>Rows per storage chunk (a power of two).</summary>
    public int RowsPerChunk => 1 << _chunkShift;

    /// <summary>Appends one row of class <paramref name="label"/> (0 to ClassCount − 1) with weight 1.</summary>
    public void Add(ReadOnlySpan<float> features, int label) => Add(features, (float)label, 1f);

    /// <summary>Appends one row; for classification <paramref name="target"/> is the class index.</summary>
    public void Add(ReadOnlySpan<float> features, float target, float weight)
    {
        if (features.Length != FeatureCount)
            throw new ArgumentException($"A row has {features.Length} features; the dataset holds {FeatureCount}.", nameof(features));
        CheckTargetAndWeight(target, weight);
        AddFeatures(features);
        AddTargetAndWeight(target, weight);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<float> Row(int row)
    {
        if ((uint)row >= (uint)RowCount)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"The dataset has {RowCount} rows.");
        ObjectDisposedException.ThrowIf(_released, this);
        return _chunks[row >> _chunkShift].AsSpan((row & (RowsPerChunk - 1)) * FeatureCount, FeatureCount);
    }

    /// <summary>
    /// Copies the given rows, in order, into a row-major minibatch with their targets and weights; returns the sum of
    /// their weights.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Gather(ReadOnlySpan<int> rows, Span<float> features, Span<float> targets, Span<float> weights)
    {
        int d = FeatureCount;
        double weightSum = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            int row = rows[i];
            Row(row).CopyTo(features.Slice(i * d, d));
            targets[i] = Target(row);
            weights[i] = Weight(row);
            weightSum += weights[i];
        }
        return weightSum;
    }

    public override void AppendFeatures(XxHash64 hash, int row) => hash.Append(MemoryMarshal.AsBytes(Row(row)));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void AddFeatures(ReadOnlySpan<float> dense) => dense.CopyTo(NextRow());

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void AddFeatures(ReadOnlySpan<int> indices, ReadOnlySpan<float> values) => SparseVector.Scatter(indices, values, NextRow());

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void WriteFeatures(int row, Minibatch batch, int position) => batch.SetFeatures(position, Row(row));

    /// <summary>The storage of the row about to be added (<see cref="RowDataset.RowCount"/>).</summary>
    private Span<float> NextRow()
    {
        int slot = RowCount & (RowsPerChunk - 1);
        ObjectDisposedException.ThrowIf(_released, this);
        if (slot == 0)
            _chunks.Add(_prefaulted?.Take(_chunks.Count) ?? DenseChunkPool.TryTake(RowsPerChunk * FeatureCount) ?? new float[(long)RowsPerChunk * FeatureCount]);
        return _chunks[^1].AsSpan(slot * FeatureCount, FeatureCount);
    }
}
