namespace MlpTrainer.Data;

/// <summary>
/// One worker's share of another source's minibatches, for data-parallel training: every worker reads the same global
/// minibatches (the same rows, seed and shuffle), and worker r of N keeps the rows at positions r, r + N, r + 2N, … of
/// each. The shares of a minibatch differ by at most one row, and together they are exactly the minibatch one process
/// would train on, so N workers reproduce one process's steps up to the order of the sums. A share can be empty (a
/// last minibatch of fewer than N rows): <see cref="Next"/> then returns true with 0 rows, since the worker must still
/// take part in the step. Dense minibatches only (a sparse first layer is not trained across workers).
/// </summary>
internal sealed class WorkerShareSource : IMinibatchSource
{
    private readonly IMinibatchSource _global;
    private readonly int _rank;
    private readonly int _size;
    private readonly int _featureCount;
    private Minibatch? _staging;
    private double? _weightSum;

    /// <param name="global">The minibatches of the whole run, which every worker reads alike.</param>
    /// <param name="rank">This worker, 0 to <paramref name="size"/> − 1.</param>
    /// <param name="size">The number of workers.</param>
    /// <param name="featureCount">Features per row (the network's input width).</param>
    public WorkerShareSource(IMinibatchSource global, int rank, int size, int featureCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if ((uint)rank >= (uint)size)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"A worker's rank is 0 to {size - 1}.");
        _global = global;
        _rank = rank;
        _size = size;
        _featureCount = featureCount;
    }

    /// <summary>The rows of one epoch over every worker: the schedule counts the global steps.</summary>
    public long RowCount => _global.RowCount;

    /// <summary>
    /// The weight of this worker's rows in epoch 0 (the full-batch objective reads epoch 0 only; a shuffled minibatch
    /// epoch deals other rows to each worker). Read once, on first use.
    /// </summary>
    public double WeightSum => _weightSum ??= ShareWeightOfFirstEpoch();

    /// <summary>The global minibatch's size (<see cref="MlpOptions.BatchSize"/>); a share holds about 1/N of it.</summary>
    public int BatchSize => _global.BatchSize;

    /// <summary>
    /// The weight of the whole minibatch of the last <see cref="Next"/> (every worker's rows, the same value on every
    /// worker): a worker's gradient is its share of the minibatch's weighted mean, Σ_(its rows) wᵢ·∇ℓᵢ / this, so the
    /// workers' gradients sum to the minibatch's without any scaling after the exchange.
    /// </summary>
    public double MinibatchWeightSum { get; private set; }

    public void BeginEpoch(int epoch) => _global.BeginEpoch(epoch);

    public bool Next(Minibatch batch, out int rows, out double weightSum)
    {
        if (batch.Sparse is not null)
            throw new NotSupportedException("Sparse minibatches are not shared among workers.");
        // Rows in memory: only this worker's rows are gathered (and standardised). Streamed rows come through the
        // staging minibatch, as the stream must be read in full by every worker anyway.
        if (_global is InMemoryMinibatchSource inMemory)
        {
            bool more = inMemory.NextShare(batch, _rank, _size, out rows, out weightSum, out double minibatchWeight);
            MinibatchWeightSum = minibatchWeight;
            return more;
        }
        Minibatch staging = Staging(batch.Standardization);
        rows = 0;
        weightSum = 0;
        MinibatchWeightSum = 0;
        if (!_global.Next(staging, out int all, out double allWeight))
            return false;
        MinibatchWeightSum = allWeight;
        int width = batch.FeatureCount;
        for (int position = _rank; position < all; position += _size)
        {
            // The staging rows are already standardised as the batch would have been: copy them as they are.
            staging.Dense.AsSpan(position * width, width).CopyTo(batch.Dense.AsSpan(rows * width, width));
            batch.Targets[rows] = staging.Targets[position];
            float weight = staging.Weights[position];
            batch.Weights[rows] = weight;
            weightSum += weight;
            rows++;
        }
        return true;
    }

    /// <summary>Worker <paramref name="rank"/>'s share of <paramref name="rows"/>: those at positions rank, rank + size, ….</summary>
    public static int[] ShareOf(int[] rows, int rank, int size)
    {
        var share = new int[(rows.Length - rank + size - 1) / size];
        for (int i = 0, position = rank; position < rows.Length; i++, position += size)
            share[i] = rows[position];
        return share;
    }

    /// <summary>Where the global minibatch is read: as wide as this worker's, as long as a whole minibatch.</summary>
    private Minibatch Staging(FeatureStandardization? standardization)
    {
        _staging ??= new Minibatch(Math.Max(1, BatchSize), _featureCount, sparse: false);
        _staging.Standardization = standardization;
        return _staging;
    }

    private double ShareWeightOfFirstEpoch()
    {
        var batch = new Minibatch(Math.Max(1, BatchSize), _featureCount, sparse: false);
        double sum = 0;
        BeginEpoch(0);
        while (Next(batch, out _, out double weight))
            sum += weight;
        return sum;
    }
}
