using System.Runtime.CompilerServices;
using MlpTrainer.Kernels;

namespace MlpTrainer.Data;

/// <summary>
/// Copies the dense features of a minibatch's rows out of a <see cref="DenseDataset"/> on every thread of a
/// <see cref="GemmEngine"/>, each thread a contiguous share of the rows. The copy is bound by memory latency (the rows
/// are scattered over the dataset), so two threads fetching at once take about half the time of one; each row is
/// written by exactly one thread with the same operations (copy, then the standardisation if any) whatever the split,
/// so the minibatch does not depend on the thread count. Targets and weights are written, and the weights summed in
/// row order, on the calling thread. Reused for every minibatch: nothing is allocated per call.
/// </summary>
internal sealed class ParallelRowGather : IParallelJob
{
    /// <summary>Below this many floats a minibatch is copied on the calling thread alone: waking a worker would cost more.</summary>
    public const int ParallelThresholdFloats = 1 << 15;

    private DenseDataset? _data;
    private int[]? _order;
    private int _start, _count;
    private Minibatch? _batch;

    /// <summary>Whether <paramref name="batch"/>'s rows of <paramref name="data"/> are worth copying in parallel.</summary>
    public static bool Applies(RowDataset data, Minibatch batch, int rows)
        => data is DenseDataset && batch.Sparse is null && batch.Engine is { Threads: > 1 } && (long)rows * data.FeatureCount >= ParallelThresholdFloats;

    /// <summary>
    /// Writes rows <paramref name="order"/>[<paramref name="start"/> … <paramref name="start"/> + <paramref name="count"/>)
    /// of <paramref name="data"/> into <paramref name="batch"/> from its row 0, as <see cref="RowDataset.Gather"/> does,
    /// and returns the sum of their weights.
    /// </summary>
    public double Gather(DenseDataset data, int[] order, int start, int count, Minibatch batch)
    {
        _data = data;
        _order = order;
        _start = start;
        _count = count;
        _batch = batch;
        try
        {
            batch.Engine!.RunParallel(this);
        }
        finally
        {
            _data = null;
            _order = null;
            _batch = null;
        }
        return data.GatherTargetsAndWeights(order.AsSpan(start, count), batch);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(int part, int parts)
    {
        DenseDataset data = _data!;
        Minibatch batch = _batch!;
        int share = (_count + parts - 1) / parts;
        int first = Math.Min(_count, part * share), end = Math.Min(_count, first + share);
        ReadOnlySpan<int> rows = _order.AsSpan(_start, _count);
        for (int i = first; i < end; i++)
            batch.SetFeatures(i, data.Row(rows[i]));
    }
}
