namespace MlpTrainer.Data;

/// <summary>
/// Where an epoch's minibatches come from: rows held in memory (<see cref="InMemoryMinibatchSource"/>) or streamed
/// from the data view (<see cref="StreamingMinibatchSource"/>). Each epoch's sequence of minibatches depends only on
/// the data, the seed and the epoch, so a run resumed at any epoch sees what an uninterrupted run would have seen.
/// Filling a minibatch allocates nothing.
/// </summary>
internal interface IMinibatchSource
{
    /// <summary>The training rows of one epoch.</summary>
    long RowCount { get; }

    /// <summary>The sum of the training rows' weights (after class weights).</summary>
    double WeightSum { get; }

    /// <summary>The largest minibatch <see cref="Next"/> fills.</summary>
    int BatchSize { get; }

    /// <summary>Starts epoch <paramref name="epoch"/> (from 0).</summary>
    void BeginEpoch(int epoch);

    /// <summary>
    /// Writes the epoch's next minibatch of up to <see cref="BatchSize"/> rows into <paramref name="batch"/> (features,
    /// targets, weights); false when the epoch has no rows left. <paramref name="weightSum"/> is the sum of their weights.
    /// </summary>
    bool Next(Minibatch batch, out int rows, out double weightSum);
}
