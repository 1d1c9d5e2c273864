using MlpTrainer.Data;

namespace MlpTrainer.Training;

/// <summary>
/// The rows a run trains on and, optionally, the rows it validates on: row indices into datasets, so a validation
/// share held out of the training data costs no copy.
/// </summary>
internal sealed record TrainingData(RowDataset Train, int[] TrainRows, RowDataset? Validation, int[]? ValidationRows)
{
    public bool HasValidation => Validation is not null && ValidationRows is { Length: > 0 };

    public static int[] AllRows(RowDataset data) => Enumerable.Range(0, data.RowCount).ToArray();

    /// <summary>The weight of <paramref name="rows"/> of <paramref name="data"/>, summed in their order.</summary>
    public static double WeightSum(RowDataset data, ReadOnlySpan<int> rows)
    {
        double sum = 0;
        foreach (int row in rows)
            sum += data.Weight(row);
        return sum;
    }

    /// <summary>
    /// Holds out round(<paramref name="fraction"/> · n) rows of each class (at least one row stays for training) as
    /// validation, chosen with a generator seeded from <paramref name="seed"/>. Regression data is one stratum.
    /// </summary>
    public static TrainingData SplitStratified(RowDataset data, float fraction, int seed)
    {
        var byClass = new List<int>[Math.Max(1, data.ClassCount)];
        for (int c = 0; c < byClass.Length; c++)
            byClass[c] = new List<int>();
        for (int row = 0; row < data.RowCount; row++)
            byClass[data.ClassCount == 0 ? 0 : data.Label(row)].Add(row);

        Random random = SeedSequence.Create(seed, SeedSequence.Stream.ValidationSplit);
        var train = new List<int>(data.RowCount);
        var validation = new List<int>();
        foreach (List<int> rows in byClass)
        {
            for (int i = rows.Count - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (rows[i], rows[j]) = (rows[j], rows[i]);
            }
            int held = Math.Min((int)Math.Round(fraction * rows.Count), Math.Max(0, rows.Count - 1));
            validation.AddRange(rows.Take(held));
            train.AddRange(rows.Skip(held));
        }
        train.Sort();
        validation.Sort();
        return new TrainingData(data, train.ToArray(), data, validation.ToArray());
    }
}
