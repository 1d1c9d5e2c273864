namespace MlpTrainer.Data;

/// <summary>The order in which an epoch visits the rows: a Fisher–Yates shuffle from a seeded generator, or row order.</summary>
internal sealed class EpochShuffler
{
    private readonly int[] _order;
    private readonly Random _random;
    private readonly bool _shuffle;

    public EpochShuffler(int rowCount, bool shuffle, Random random)
    {
        _order = new int[rowCount];
        for (int i = 0; i < rowCount; i++)
            _order[i] = i;
        _shuffle = shuffle;
        _random = random;
    }

    /// <summary>The visiting order for the next epoch. The span is valid until the next call.</summary>
    public ReadOnlySpan<int> NextEpoch()
    {
        if (_shuffle)
        {
            for (int i = _order.Length - 1; i > 0; i--)
            {
                int j = _random.Next(i + 1);
                (_order[i], _order[j]) = (_order[j], _order[i]);
            }
        }
        return _order;
    }
}
