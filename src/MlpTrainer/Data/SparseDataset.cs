using System.Runtime.CompilerServices;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace MlpTrainer.Data;

/// <summary>
/// Training rows held in memory as compressed sparse rows: only each row's non-zero values and their slots, so memory
/// grows with the non-zeros, not with rows × features. Values and slots are stored in chunks; a row never spans two.
/// </summary>
internal sealed class SparseDataset : RowDataset
{
    /// <summary>The largest chunk's non-zeros (4 MiB of values, 4 MiB of slots); a longer row gets a chunk of its own.</summary>
    private const int ChunkValues = 1 << 20;

    /// <summary>The first chunk's non-zeros; each next chunk doubles, up to <see cref="ChunkValues"/>, so small data stays small.</summary>
    private const int FirstChunkValues = 1 << 12;

    private readonly List<float[]> _values = new();
    private readonly List<int[]> _indices = new();
    private readonly List<int> _rowChunk = new();
    private readonly List<int> _rowStart = new();
    private readonly List<int> _rowLength = new();
    private int _used; // values used in the last chunk
    private long _allocated;

    /// <param name="featureCount">Features per row.</param>
    /// <param name="classCount">Classes for classification, or 0 for real-valued targets.</param>
    public SparseDataset(int featureCount, int classCount)
        : base(featureCount, classCount)
    {
    }

    public override long Bytes => _allocated * (sizeof(float) + sizeof(int)) + 3L * sizeof(int) * RowCount + TargetAndWeightBytes;

    public ReadOnlySpan<int> Indices(int row) => _indices[_rowChunk[row]].AsSpan(_rowStart[row], _rowLength[row]);

    public ReadOnlySpan<float> Values(int row) => _values[_rowChunk[row]].AsSpan(_rowStart[row], _rowLength[row]);

    public override void AppendFeatures(XxHash64 hash, int row)
    {
        hash.Append(MemoryMarshal.AsBytes(Indices(row)));
        hash.Append(MemoryMarshal.AsBytes(Values(row)));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void AddFeatures(ReadOnlySpan<float> dense)
    {
        int nonZeros = SparseVector.CountNonZeros(dense);
        (float[] values, int[] indices, int start) = Reserve(nonZeros);
        SparseVector.CopyNonZeros(dense, indices.AsSpan(start, nonZeros), values.AsSpan(start, nonZeros));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void AddFeatures(ReadOnlySpan<int> indices, ReadOnlySpan<float> values)
    {
        int nonZeros = SparseVector.CountNonZeros(values);
        (float[] storedValues, int[] storedIndices, int start) = Reserve(nonZeros);
        SparseVector.CopyNonZeros(indices, values, storedIndices.AsSpan(start, nonZeros), storedValues.AsSpan(start, nonZeros));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void WriteFeatures(int row, Minibatch batch, int position) => batch.SetFeatures(position, Indices(row), Values(row));

    /// <summary>Room for the next row's <paramref name="nonZeros"/> values: its chunk and where in it the row starts.</summary>
    private (float[] Values, int[] Indices, int Start) Reserve(int nonZeros)
    {
        if (_values.Count == 0 || _used + nonZeros > _values[^1].Length)
        {
            int next = _values.Count == 0 ? FirstChunkValues : Math.Min(ChunkValues, 2 * _values[^1].Length);
            int size = Math.Max(next, nonZeros);
            _values.Add(new float[size]);
            _indices.Add(new int[size]);
            _allocated += size;
            _used = 0;
        }
        int start = _used;
        _rowChunk.Add(_values.Count - 1);
        _rowStart.Add(start);
        _rowLength.Add(nonZeros);
        _used += nonZeros;
        return (_values[^1], _indices[^1], start);
    }
}
