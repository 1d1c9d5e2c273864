using System.Runtime.CompilerServices;
using MlpTrainer.Training;

namespace MlpTrainer.Data;

/// <summary>
/// Minibatches from rows held in a <see cref="RowDataset"/>: each epoch visits the rows in the order of
/// <see cref="EpochShuffler"/> and gathers consecutive runs of <see cref="BatchSize"/> of them (dense rows on the threads
/// of the minibatch's <see cref="Minibatch.Engine"/>, see <see cref="ParallelRowGather"/>).
/// </summary>
internal sealed class InMemoryMinibatchSource : IMinibatchSource, IDisposable
{
    private readonly RowDataset _data;
    private readonly EpochShuffler _shuffler;
    private readonly ParallelRowGather _gather = new();
    private readonly bool _ownsData;
    private int[] _order = Array.Empty<int>();
    private int[] _share = Array.Empty<int>();   // one worker's rows of a minibatch (NextShare)
    private int _next;

    /// <param name="data">The rows.</param>
    /// <param name="rows">The training rows among them.</param>
    /// <param name="shuffle">Shuffle the rows every epoch.</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="batchSize">The largest minibatch.</param>
    /// <param name="ownsData">Whether the source owns <paramref name="data"/>: <see cref="Dispose"/> then hands a dense
    /// dataset's storage on to the next one (<see cref="DenseDataset.Release"/>).</param>
    public InMemoryMinibatchSource(RowDataset data, int[] rows, bool shuffle, int seed, int batchSize, bool ownsData = false)
    {
        _ownsData = ownsData;
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _data = data;
        _shuffler = new EpochShuffler(rows, shuffle, seed);
        BatchSize = batchSize;
        RowCount = rows.Length;
        WeightSum = TrainingData.WeightSum(data, rows);
    }

    public long RowCount { get; }

    public double WeightSum { get; }

    public int BatchSize { get; }

    public void BeginEpoch(int epoch)
    {
        _order = _shuffler.OrderArray(epoch);
        _next = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Next(Minibatch batch, out int rows, out double weightSum)
    {
        rows = Math.Min(Math.Min(BatchSize, batch.Capacity), _order.Length - _next);
        if (rows <= 0)
        {
            rows = 0;
            weightSum = 0;
            return false;
        }
        weightSum = Gather(_order, _next, rows, batch);
        _next += rows;
        return true;
    }

    /// <summary>
    /// Worker <paramref name="rank"/> of <paramref name="size"/>'s share of the epoch's next minibatch (see
    /// <see cref="WorkerShareSource"/>): the rows at positions rank, rank + size, … of the minibatch <see cref="Next"/>
    /// would fill, gathered straight into <paramref name="batch"/> (nothing of the other workers' rows is copied);
    /// true with 0 rows when the share is empty, false when the epoch has no rows left. <paramref name="weightSum"/> is the
    /// weight of the share's rows, <paramref name="minibatchWeightSum"/> that of the whole minibatch (summed in the order
    /// <see cref="Next"/> sums it, so every worker finds the same value).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool NextShare(Minibatch batch, int rank, int size, out int rows, out double weightSum, out double minibatchWeightSum)
    {
        int all = Math.Min(BatchSize, _order.Length - _next);
        rows = 0;
        weightSum = 0;
        minibatchWeightSum = 0;
        if (all <= 0)
            return false;
        if (_share.Length < all)
            _share = new int[BatchSize];
        for (int position = rank; position < all; position += size)
            _share[rows++] = _order[_next + position];
        minibatchWeightSum = TrainingData.WeightSum(_data, _order.AsSpan(_next, all));
        if (rows > 0)
            weightSum = Gather(_share, 0, rows, batch);
        _next += all;
        return true;
    }

    /// <summary>Rows <paramref name="rows"/>[<paramref name="start"/> …] into <paramref name="batch"/>, dense ones on the engine's threads when worth it; returns their weight.</summary>
    private double Gather(int[] rows, int start, int count, Minibatch batch)
        => ParallelRowGather.Applies(_data, batch, count)
            ? _gather.Gather((DenseDataset)_data, rows, start, count, batch)
            : _data.Gather(rows.AsSpan(start, count), batch);

    /// <summary>When the source owns its rows, hands a dense dataset's storage on to the next dataset; the rows are gone after.</summary>
    public void Dispose()
    {
        if (_ownsData && _data is DenseDataset dense)
            dense.Release();
    }
}
