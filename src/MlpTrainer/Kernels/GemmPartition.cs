using System;

namespace MlpTrainer.Kernels;

/// <summary>
/// How one product is split between threads: contiguous ranges of C's rows or of C's columns
/// (never of K). The split depends only on (m, n, k, thread budget); since every C element is
/// computed by the same operations whatever thread computes it, the split never changes results.
/// </summary>
internal readonly struct GemmPartition
{
    /// <summary>Products with fewer multiply-adds than this run on the calling thread alone.</summary>
    public const long ParallelThresholdMacs = 1L << 20;

    /// <summary>Columns are handed out in multiples of this (a multiple of every kernel's narrow width).</summary>
    public const int ColumnGranule = 16;

    /// <summary>Rows are handed out in multiples of this (a multiple of every kernel's MR: 12, 6 and 4).</summary>
    public const int RowGranule = 24;

    private GemmPartition(int threads, bool splitColumns, int length, int granule)
    {
        Threads = threads;
        SplitsColumns = splitColumns;
        Length = length;
        Granule = granule;
    }

    /// <summary>Number of threads that take part (1 = caller only).</summary>
    public int Threads { get; }

    /// <summary>True when threads own column ranges of C, false when they own row ranges.</summary>
    public bool SplitsColumns { get; }

    /// <summary>Extent of the split dimension (n or m).</summary>
    private int Length { get; }

    private int Granule { get; }

    /// <summary>
    /// Splits an m × n × k product over at most <paramref name="maxThreads"/> threads. The wider
    /// of the two output dimensions is split, which also minimises redundant packing: each thread
    /// packs its own share of one operand and all of the other, and the other is the smaller one.
    /// </summary>
    public static GemmPartition Create(int m, int n, int k, int maxThreads)
    {
        bool splitColumns = n >= m;
        int length = splitColumns ? n : m;
        int granule = splitColumns ? ColumnGranule : RowGranule;
        int granules = (length + granule - 1) / granule;

        int threads = (long)m * n * k < ParallelThresholdMacs ? 1 : Math.Min(maxThreads, granules);
        return new GemmPartition(Math.Max(threads, 1), splitColumns, length, granule);
    }

    /// <summary>The half-open range [start, end) of the split dimension owned by thread <paramref name="index"/>.</summary>
    public (int Start, int End) GetRange(int index)
    {
        int granules = (Length + Granule - 1) / Granule;
        int share = granules / Threads;
        int extra = granules % Threads;
        int first = index * share + Math.Min(index, extra);
        int count = share + (index < extra ? 1 : 0);
        int start = first * Granule;
        int end = Math.Min(start + count * Granule, Length);
        return (start, end);
    }
}
