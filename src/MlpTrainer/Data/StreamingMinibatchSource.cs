using Microsoft.ML.Data;
using MlpTrainer.Training;

namespace MlpTrainer.Data;

/// <summary>
/// Minibatches streamed from a data view, for data bigger than memory. Each epoch opens a new row cursor, skips the rows
/// the in-memory path skips (and the held-out validation rows), applies the class weights and label standardisation, and
/// passes the rows through a bounded shuffle buffer: the buffer is filled, then for every further row a random buffered
/// row is emitted and the new row takes its slot, and at the end of the data the buffered rows are emitted in random
/// order. The slot draws use a generator seeded by (seed, <see cref="SeedSequence.Stream.StreamingShuffle"/>, epoch);
/// the final order is the Fisher–Yates shuffle of <see cref="EpochShuffler"/> with its generator (seed,
/// <see cref="SeedSequence.Stream.Shuffle"/>, epoch). So an epoch depends only on the data, the seed and the epoch, and
/// with a buffer that holds every row the epoch visits the rows exactly as the in-memory path does.
/// Memory: the buffer (<see cref="BufferCapacity"/> rows, allocated once: dense rows, or for sparse data each slot's
/// non-zeros in arrays that grow to the longest row the slot has held) and the trainer's minibatch; emitted rows are
/// copied straight from the buffer into the minibatch, and a row read from the cursor goes straight into its buffer slot.
/// </summary>
internal sealed class StreamingMinibatchSource : IMinibatchSource, IDisposable
{
    private enum Phase { Fill, Replace, Drain, Done }

    private readonly DataViewColumns _columns;
    private readonly bool _shuffle;
    private readonly int _seed;
    private readonly RowAdjustment _adjustment;
    private readonly ValidationHoldOut? _holdOut;
    private readonly CancellationToken _cancellation;
    private readonly int _featureCount;
    private readonly bool _sparse;
    private readonly float[] _features; // dense: BufferCapacity rows, row-major
    private readonly float[][] _slotValues; // sparse: each buffered row's non-zero values and slots
    private readonly int[][] _slotIndices;
    private readonly int[] _slotLengths;
    private readonly float[] _targets;
    private readonly float[] _weights;
    private readonly int[] _slots;      // buffer position → storage row; the first _count positions hold rows
    private DataViewRowReader? _reader;
    private Random? _replace;
    private Random? _drain;
    private Phase _phase = Phase.Done;
    private int _count;
    private int _drained;

    /// <param name="columns">The data view and its columns.</param>
    /// <param name="rowCount">The training rows of an epoch (from the first pass).</param>
    /// <param name="weightSum">Their weights' sum, after class weights.</param>
    /// <param name="bufferRows">Rows in the shuffle buffer; at most <paramref name="rowCount"/> are allocated. Unused without shuffling.</param>
    /// <param name="shuffle">Shuffle; without it rows go to the minibatches in the data view's order.</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="batchSize">The largest minibatch.</param>
    /// <param name="adjustment">Class weights and label standardisation applied to each row.</param>
    /// <param name="holdOut">The validation rows to leave out, or null.</param>
    /// <param name="sparse">Buffer the rows' non-zeros only, rather than dense rows.</param>
    /// <param name="cancellation">Checked for every row read.</param>
    public StreamingMinibatchSource(DataViewColumns columns, long rowCount, double weightSum, int bufferRows, bool shuffle, int seed,
        int batchSize, RowAdjustment adjustment, ValidationHoldOut? holdOut, bool sparse = false, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferRows, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        _columns = columns;
        _shuffle = shuffle;
        _seed = seed;
        _adjustment = adjustment;
        _holdOut = holdOut;
        _cancellation = cancellation;
        _featureCount = columns.FeatureCount;
        RowCount = rowCount;
        WeightSum = weightSum;
        BatchSize = batchSize;
        int capacity = shuffle ? (int)Math.Min(bufferRows, Math.Max(1, rowCount)) : 0;
        _sparse = sparse;
        if (!sparse && (long)capacity * _featureCount > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(bufferRows), bufferRows,
                $"A shuffle buffer of {capacity} rows of {_featureCount} features is too large for one array; use fewer rows.");
        _features = sparse ? Array.Empty<float>() : new float[(long)capacity * _featureCount];
        _slotValues = new float[sparse ? capacity : 0][];
        _slotIndices = new int[sparse ? capacity : 0][];
        _slotLengths = new int[sparse ? capacity : 0];
        for (int i = 0; i < _slotValues.Length; i++)
        {
            _slotValues[i] = Array.Empty<float>();
            _slotIndices[i] = Array.Empty<int>();
        }
        _targets = new float[capacity];
        _weights = new float[capacity];
        _slots = new int[capacity];
    }

    public long RowCount { get; }

    public double WeightSum { get; }

    public int BatchSize { get; }

    /// <summary>Rows the shuffle buffer holds: the requested buffer, at most the number of training rows; 0 without shuffling.</summary>
    public int BufferCapacity => _slots.Length;

    /// <summary>Floats allocated for buffered rows' features: <see cref="BufferCapacity"/> × features for dense rows, the slots' non-zero capacity for sparse ones.</summary>
    public long BufferedFeatureFloats => _sparse ? _slotValues.Sum(v => (long)v.Length) : _features.LongLength;

    /// <summary>The most rows the buffer held at once so far.</summary>
    public int PeakBufferedRows { get; private set; }

    /// <summary>Training rows emitted in the current epoch.</summary>
    public long EmittedRows { get; private set; }

    public void BeginEpoch(int epoch)
    {
        _reader?.Dispose();
        _reader = _columns.OpenReader(_cancellation);
        for (int i = 0; i < _slots.Length; i++)
            _slots[i] = i;
        _count = 0;
        _drained = 0;
        EmittedRows = 0;
        _phase = Phase.Fill;
        _replace = _shuffle ? SeedSequence.Create(_seed, SeedSequence.Stream.StreamingShuffle, epoch) : null;
        _drain = _shuffle ? SeedSequence.Create(_seed, SeedSequence.Stream.Shuffle, epoch) : null;
    }

    public bool Next(Minibatch batch, out int rows, out double weightSum)
    {
        if (_reader is null)
            throw new InvalidOperationException("Call BeginEpoch before Next.");
        float[] targets = batch.Targets, weights = batch.Weights;
        int limit = Math.Min(BatchSize, batch.Capacity);
        rows = 0;
        weightSum = 0;
        while (rows < limit && Emit(batch, rows, out targets[rows], out weights[rows]))
        {
            weightSum += weights[rows];
            rows++;
        }
        EmittedRows += rows;
        if (rows == 0)
        {
            _reader.Dispose();
            _reader = null;
            _phase = Phase.Done;
        }
        return rows > 0;
    }

    /// <summary>Writes the epoch's next row as row <paramref name="position"/> of <paramref name="batch"/>; false when the epoch is over.</summary>
    private bool Emit(Minibatch batch, int position, out float target, out float weight)
    {
        if (!_shuffle)
        {
            if (!ReadTrainingRow(out target, out weight))
                return false;
            batch.SetFeatures(position, _reader!.Features);
            return true;
        }

        if (_phase == Phase.Fill)
        {
            while (_count < _slots.Length && ReadTrainingRow(out _targets[_slots[_count]], out _weights[_slots[_count]]))
            {
                Store(_slots[_count]);
                PeakBufferedRows = Math.Max(PeakBufferedRows, ++_count);
            }
            // A full buffer that holds every training row (the first pass counted them) has nothing left to replace.
            if (_count == _slots.Length && _count < RowCount)
                _phase = Phase.Replace;
            else
                StartDrain();
        }

        if (_phase == Phase.Replace)
        {
            int drawn = _replace!.Next(_count);
            int row = _slots[drawn];
            CopyOut(row, batch, position, out target, out weight);
            if (ReadTrainingRow(out _targets[row], out _weights[row]))
            {
                Store(row);
            }
            else
            {
                // The data ended: the emitted row's slot stays empty, so the last buffered row moves into it.
                (_slots[drawn], _slots[_count - 1]) = (_slots[_count - 1], _slots[drawn]);
                _count--;
                StartDrain();
            }
            return true;
        }

        if (_phase == Phase.Drain && _drained < _count)
        {
            CopyOut(_slots[_drained++], batch, position, out target, out weight);
            return true;
        }
        target = 0;
        weight = 0;
        return false;
    }

    /// <summary>Shuffles the buffered rows as <see cref="EpochShuffler"/> shuffles an epoch's rows; they are then emitted in that order.</summary>
    private void StartDrain()
    {
        for (int i = _count - 1; i > 0; i--)
        {
            int j = _drain!.Next(i + 1);
            (_slots[i], _slots[j]) = (_slots[j], _slots[i]);
        }
        _drained = 0;
        _phase = Phase.Drain;
    }

    /// <summary>Keeps the features of the row just read in buffer row <paramref name="row"/>.</summary>
    private void Store(int row)
    {
        VBuffer<float> features = _reader!.Features;
        if (!_sparse)
        {
            features.CopyTo(_features.AsSpan(row * _featureCount, _featureCount));
            return;
        }
        int stored = features.GetValues().Length;
        if (_slotValues[row].Length < stored)
        {
            _slotValues[row] = new float[stored];
            _slotIndices[row] = new int[stored];
        }
        _slotLengths[row] = SparseVector.CopyNonZeros(features, _slotIndices[row], _slotValues[row]);
    }

    private void CopyOut(int row, Minibatch batch, int position, out float target, out float weight)
    {
        if (_sparse)
            batch.SetFeatures(position, _slotIndices[row].AsSpan(0, _slotLengths[row]), _slotValues[row].AsSpan(0, _slotLengths[row]));
        else
            batch.SetFeatures(position, _features.AsSpan(row * _featureCount, _featureCount));
        target = _targets[row];
        weight = _weights[row];
    }

    /// <summary>The next usable row that is not held out for validation, with class weights and label scaling applied; its features stay in the reader.</summary>
    private bool ReadTrainingRow(out float target, out float weight)
    {
        while (_reader!.Read(out target, out weight))
        {
            if (_holdOut is not null && _holdOut.IsHeldOut(_reader.Position))
                continue;
            _adjustment.Apply(ref target, ref weight);
            return true;
        }
        return false;
    }

    public void Dispose()
    {
        _reader?.Dispose();
        _reader = null;
    }
}
