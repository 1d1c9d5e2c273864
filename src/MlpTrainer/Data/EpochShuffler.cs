using MlpTrainer.Training;

namespace MlpTrainer.Data;

/// <summary>
/// The order in which an epoch visits the training rows: the rows in their given order, Fisher–Yates shuffled with a
/// generator seeded by (seed, epoch) when shuffling is on. An epoch's order depends on nothing else, so a run resumed
/// at any epoch sees the same orders as one that never stopped.
/// </summary>
internal sealed class EpochShuffler
{
    private readonly int[] _rows;
    private readonly int[] _order;
    private readonly bool _shuffle;
    private readonly int _seed;

    public EpochShuffler(int[] rows, bool shuffle, int seed)
    {
        _rows = rows;
        _order = new int[rows.Length];
        _shuffle = shuffle;
        _seed = seed;
    }

    public int RowCount => _rows.Length;

    /// <summary>The visiting order of epoch <paramref name="epoch"/> (from 0). The span is valid until the next call.</summary>
    public ReadOnlySpan<int> Order(int epoch) => OrderArray(epoch);

    /// <summary>The visiting order of epoch <paramref name="epoch"/> (from 0), in an array reused by the next call.</summary>
    public int[] OrderArray(int epoch)
    {
        _rows.CopyTo(_order, 0);
        if (_shuffle)
        {
            Random random = SeedSequence.Create(_seed, SeedSequence.Stream.Shuffle, epoch);
            for (int i = _order.Length - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (_order[i], _order[j]) = (_order[j], _order[i]);
            }
        }
        return _order;
    }
}
