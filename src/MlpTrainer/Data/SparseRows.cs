namespace MlpTrainer.Data;

/// <summary>
/// Rows of a sparse matrix in compressed-row form (CSR): the non-zero values and their slot indices one row after
/// another, and where each row starts. Rows are appended in order; the arrays grow by doubling and are kept across
/// <see cref="Clear"/>, so a buffer refilled for every minibatch stops allocating once it has seen its largest one.
/// </summary>
internal sealed class SparseRows
{
    private float[] _values;
    private int[] _indices;
    private int[] _starts;

    public SparseRows(int rowCapacity = 16, int valueCapacity = 256)
    {
        _values = new float[Math.Max(1, valueCapacity)];
        _indices = new int[Math.Max(1, valueCapacity)];
        _starts = new int[Math.Max(1, rowCapacity) + 1];
    }

    public int RowCount { get; private set; }

    public ReadOnlySpan<float> Values(int row) => _values.AsSpan(_starts[row], _starts[row + 1] - _starts[row]);

    public ReadOnlySpan<int> Indices(int row) => _indices.AsSpan(_starts[row], _starts[row + 1] - _starts[row]);

    public void Clear() => RowCount = 0;

    /// <summary>Appends a row given by its non-zero slots (ascending or not) and their values; explicit zeros are dropped.</summary>
    public void Append(ReadOnlySpan<int> indices, ReadOnlySpan<float> values)
    {
        int start = Reserve(indices.Length);
        _starts[RowCount + 1] = start + SparseVector.CopyNonZeros(indices, values, _indices.AsSpan(start), _values.AsSpan(start));
        RowCount++;
    }

    /// <summary>Appends a dense row: its non-zero entries.</summary>
    public void AppendDense(ReadOnlySpan<float> row)
    {
        int start = Reserve(row.Length);
        _starts[RowCount + 1] = start + SparseVector.CopyNonZeros(row, _indices.AsSpan(start), _values.AsSpan(start));
        RowCount++;
    }

    /// <summary>Makes room for one more row of up to <paramref name="nonZeros"/> values; returns where it starts.</summary>
    private int Reserve(int nonZeros)
    {
        if (RowCount + 1 >= _starts.Length)
            Array.Resize(ref _starts, _starts.Length * 2);
        int start = _starts[RowCount];
        long needed = (long)start + nonZeros;
        if (needed > _values.Length)
        {
            if (needed > Array.MaxLength)
                throw new InvalidOperationException($"A minibatch of sparse rows would hold {needed} non-zero values; at most {Array.MaxLength} fit. Use a smaller BatchSize.");
            int size = (int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * _values.Length));
            Array.Resize(ref _values, size);
            Array.Resize(ref _indices, size);
        }
        return start;
    }
}
