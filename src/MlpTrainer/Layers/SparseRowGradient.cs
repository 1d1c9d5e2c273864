using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MlpTrainer.Kernels;

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
    private float[] _rows;  // pinned; row i starts at _start + i·Width
    private int _start;     // the first element on a cache-line boundary

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
        (_rows, _start) = NewRows(_slots.Length * width);
    }

    public int Width { get; }

    /// <summary>Slots with a gradient row.</summary>
    public int Count { get; private set; }

    /// <summary>The slots with a gradient row, in the order they were first met.</summary>
    public ReadOnlySpan<int> Slots => _slots.AsSpan(0, Count);

    /// <summary>The gradient row of the <paramref name="index"/>-th touched slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<float> Row(int index) => _rows.AsSpan(_start + index * Width, Width);

    /// <summary>Forgets the last minibatch's slots.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Clear()
    {
        foreach (int slot in Slots)
            _rowOfSlot[slot] = -1;
        Count = 0;
    }

    /// <summary>The gradient row of <paramref name="slot"/>, added (as zeros) the first time the slot is met.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Span<float> RowOf(int slot)
    {
        int index = _rowOfSlot[slot];
        if (index < 0)
            index = Add(slot);
        return Row(index);
    }

    /// <summary>
    /// RowOf(slots[k]) += values[k]·<paramref name="delta"/> for every k in order: one row's contribution x_j·δ to the
    /// rows of its slots. The same arithmetic as <see cref="RowKernel.MultiplyAdd"/> on each <see cref="RowOf"/>, in one
    /// loop with no calls per non-zero (the gradient rows are scattered reads and writes, so a short loop keeps more of
    /// them in flight).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddScaled(ReadOnlySpan<int> slots, ReadOnlySpan<float> values, ReadOnlySpan<float> delta)
    {
        int width = Width;
        if (delta.Length != width)
            throw new ArgumentException($"δ has {delta.Length} values; the rows have {width}.", nameof(delta));
        if (values.Length != slots.Length)
            throw new ArgumentException($"The row has {slots.Length} slots and {values.Length} values.", nameof(values));
        int[] rowOfSlot = _rowOfSlot;
        ref float d = ref MemoryMarshal.GetReference(delta);
        for (int k = 0; k < slots.Length; k++)
        {
            int index = rowOfSlot[slots[k]];
            if (index < 0)
                index = Add(slots[k]);
            ref float g = ref _rows[_start + index * width];
            float x = values[k];
            int i = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                var s = Vector512.Create(x);
                for (; i <= width - Vector512<float>.Count; i += Vector512<float>.Count)
                    (Vector512.LoadUnsafe(ref d, (nuint)i) * s + Vector512.LoadUnsafe(ref g, (nuint)i)).StoreUnsafe(ref g, (nuint)i);
            }
            if (Vector256.IsHardwareAccelerated)
            {
                var s = Vector256.Create(x);
                for (; i <= width - Vector256<float>.Count; i += Vector256<float>.Count)
                    (Vector256.LoadUnsafe(ref d, (nuint)i) * s + Vector256.LoadUnsafe(ref g, (nuint)i)).StoreUnsafe(ref g, (nuint)i);
            }
            for (; i < width; i++)
                Unsafe.Add(ref g, i) = Unsafe.Add(ref d, i) * x + Unsafe.Add(ref g, i);
        }
    }

    /// <summary>
    /// Gives <paramref name="slot"/> the next row, cleared, growing the buffers when they are full; returns its index. Kept
    /// out of the callers' loops (it runs once per slot, they once per non-zero), and optimised from the first call.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private int Add(int slot)
    {
        if (Count == _slots.Length)
        {
            Array.Resize(ref _slots, _slots.Length * 2);
            (float[] rows, int start) = NewRows(_slots.Length * Width);
            _rows.AsSpan(_start, Count * Width).CopyTo(rows.AsSpan(start));
            (_rows, _start) = (rows, start);
        }
        int index = Count++;
        _slots[index] = slot;
        _rowOfSlot[slot] = index;
        Row(index).Clear();
        return index;
    }

    /// <summary>
    /// A buffer for <paramref name="length"/> floats that starts on a 64-byte cache line: a pinned array (it never moves)
    /// with up to one line more, and the first element on a line boundary. A large array's data do not start on a line
    /// otherwise, and then every 128-byte row of a 32-unit layer spans three lines instead of two, a third more scattered
    /// misses when a minibatch's rows are added to.
    /// </summary>
    private static unsafe (float[] Rows, int Start) NewRows(int length)
    {
        const int FloatsPerLine = 64 / sizeof(float);
        float[] rows = GC.AllocateArray<float>(length + FloatsPerLine - 1, pinned: true);
        nuint address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(rows));
        int start = (int)((64 - address % 64) % 64 / sizeof(float));
        return (rows, start);
    }
}
