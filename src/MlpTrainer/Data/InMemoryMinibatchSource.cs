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
        weightSum = ParallelRowGather.Applies(_data, batch, rows)
            ? _gather.Gather((DenseDataset)_data, _order, _next, rows, batch)
            : _data.Gather(_order.AsSpan(_next, rows), batch);
        _next += rows;
        return true;
    }

    /// <summary>When the source owns its rows, hands a dense dataset's storage on to the next dataset; the rows are gone after.</summary>
    public void Dispose()
    {
        if (_ownsData && _data is DenseDataset dense)
            dense.Release();
    }
}
