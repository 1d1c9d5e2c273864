namespace MlpTrainer.Layers;

/// <summary>
/// The gradient of an input-major first layer over one minibatch, kept only for the input slots present in it: one row
/// of <see cref="Width"/> values per touched slot, in the order the slots were first met. Everything else of that
/// layer's weight gradient is zero. The buffers are reused from minibatch to minibatch; clearing touches only the slots
/// of the last one.
/// </summary>
internal sealed class SparseRowGradient
{
    private readonly int[] _rowOfSlot; // slot → its row in _rows, or −1
    private int[] _slots;
    private float[] _rows;

    /// <param name="slots">Input slots (the layer's inputs).</param>
    /// <param name="width">Values per slot (the layer's outputs).</param>
    public SparseRowGradient(int slots, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Width = width;
        _rowOfSlot = new int[slots];
        Array.Fill(_rowOfSlot, -1);
        _slots = new int[Math.Min(slots, 1024)];
        _rows = new float[_slots.Length * width];
    }

    public int Width { get; }

    /// <summary>Slots with a gradient row.</summary>
    public int Count { get; private set; }

    /// <summary>The slots with a gradient row, in the order they were first met.</summary>
    public ReadOnlySpan<int> Slots => _slots.AsSpan(0, Count);

    /// <summary>The gradient row of the <paramref name="index"/>-th touched slot.</summary>
    public Span<float> Row(int index) => _rows.AsSpan(index * Width, Width);

    /// <summary>Forgets the last minibatch's slots.</summary>
    public void Clear()
    {
        foreach (int slot in Slots)
            _rowOfSlot[slot] = -1;
        Count = 0;
    }

    /// <summary>The gradient row of <paramref name="slot"/>, added (as zeros) the first time the slot is met.</summary>
    public Span<float> RowOf(int slot)
    {
        int index = _rowOfSlot[slot];
        if (index < 0)
        {
            if (Count == _slots.Length)
            {
                Array.Resize(ref _slots, _slots.Length * 2);
                Array.Resize(ref _rows, _slots.Length * Width);
            }
            index = Count++;
            _slots[index] = slot;
            _rowOfSlot[slot] = index;
            Row(index).Clear();
        }
        return Row(index);
    }
}
