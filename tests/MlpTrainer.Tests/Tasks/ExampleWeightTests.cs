using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Tests.Tasks;

/// <summary>
/// ExampleWeightColumnName for the binary and regression trainers. With full-batch plain SGD (BatchSize ≥ rows,
/// Momentum 0, no L2, same seed), every step follows the gradient of Σ wᵣℓᵣ / Σ wᵣ over all rows, so a row of
/// weight 2 must train exactly as that row twice, and a row of weight 0 as no row. The sums are formed in another
/// order (and the GEMM sees other row counts), so the weights agree to float rounding, not bit for bit: within
/// <see cref="Tolerance"/> = 1e-6, as max |a − b| / (1 + |b|), after 25 steps (observed: about 4e-8; the duplicate
/// itself moves the weights by more than 1e-3, so the tolerance is far below the effect it separates).
/// </summary>
public class ExampleWeightTests
{
    private const double Tolerance = 1e-6;
    private const int DoubledRow = 7;

    private static BinaryRow[] BinaryRows() => TaskData.SeparableBinary(40, seed: 21);

    private static RegressionRow[] RegressionRows() => TaskData.Radial(40, seed: 22);

    private static float[] TrainBinary(MLContext ml, IEnumerable<BinaryRow> rows, bool weighted)
    {
        var list = rows.ToList();
        MlpOptions options = TaskData.FullBatchSgd(64);
        options.ExampleWeightColumnName = weighted ? "Weight" : null;
        return TaskData.Parameters(ml.BinaryClassification.Trainers.Mlp(options).Fit(TaskData.Load(ml, list, withWeight: weighted)).Model);
    }

    private static float[] TrainRegression(MLContext ml, IEnumerable<RegressionRow> rows, bool weighted)
    {
        var list = rows.ToList();
        MlpOptions options = TaskData.FullBatchSgd(64);
        options.ExampleWeightColumnName = weighted ? "Weight" : null;
        return TaskData.Parameters(ml.Regression.Trainers.Mlp(options).Fit(TaskData.Load(ml, list, withWeight: weighted)).Model);
    }

    private static IEnumerable<T> WithRowDuplicated<T>(T[] rows, int index)
        => rows.Take(index + 1).Append(rows[index]).Concat(rows.Skip(index + 1));

    [Fact]
    public void BinaryRowOfWeightTwoTrainsAsTheRowDuplicated()
    {
        var ml = new MLContext(seed: 0);
        BinaryRow[] rows = BinaryRows();
        rows[DoubledRow].Weight = 2f;
        float[] weighted = TrainBinary(ml, rows, weighted: true);

        BinaryRow[] plain = BinaryRows();
        float[] duplicated = TrainBinary(ml, WithRowDuplicated(plain, DoubledRow), weighted: false);
        float[] unweighted = TrainBinary(ml, plain, weighted: false);

        double difference = TaskData.MaxRelativeDifference(weighted, duplicated);
        Assert.True(difference <= Tolerance, $"weight 2 vs duplicated: max relative difference {difference:G3}");
        Assert.True(TaskData.MaxRelativeDifference(unweighted, duplicated) > 100 * Tolerance, "Test setup: the duplicate should change the fit.");
    }

    [Fact]
    public void RegressionRowOfWeightTwoTrainsAsTheRowDuplicated()
    {
        var ml = new MLContext(seed: 0);
        RegressionRow[] rows = RegressionRows();
        rows[DoubledRow].Weight = 2f;
        float[] weighted = TrainRegression(ml, rows, weighted: true);

        RegressionRow[] plain = RegressionRows();
        float[] duplicated = TrainRegression(ml, WithRowDuplicated(plain, DoubledRow), weighted: false);
        float[] unweighted = TrainRegression(ml, plain, weighted: false);

        double difference = TaskData.MaxRelativeDifference(weighted, duplicated);
        Assert.True(difference <= Tolerance, $"weight 2 vs duplicated: max relative difference {difference:G3}");
        Assert.True(TaskData.MaxRelativeDifference(unweighted, duplicated) > 100 * Tolerance, "Test setup: the duplicate should change the fit.");
    }

    [Fact]
    public void RowsOfWeightZeroTrainAsIfRemoved()
    {
        var ml = new MLContext(seed: 0);
        BinaryRow[] rows = BinaryRows();
        // Five extra rows with the opposite label of a real row: they would pull the fit if they counted.
        BinaryRow[] ignored = rows.Take(5).Select(r => new BinaryRow { Label = !r.Label, Features = r.Features, Weight = 0f }).ToArray();

        float[] withZeroRows = TrainBinary(ml, rows.Concat(ignored), weighted: true);
        float[] without = TrainBinary(ml, BinaryRows(), weighted: false);

        double difference = TaskData.MaxRelativeDifference(withZeroRows, without);
        Assert.True(difference <= Tolerance, $"max relative difference {difference:G3}");
    }

    [Fact]
    public void RowsWithNegativeNaNOrInfiniteWeightAreSkipped()
    {
        var ml = new MLContext(seed: 0);
        RegressionRow[] rows = RegressionRows();
        RegressionRow[] bad = new[] { -1f, float.NaN, float.PositiveInfinity }
            .Select((w, i) => new RegressionRow { Label = 50f, Features = rows[i].Features, Weight = w }).ToArray();

        float[] withBadRows = TrainRegression(ml, rows.Concat(bad), weighted: true);
        float[] without = TrainRegression(ml, RegressionRows(), weighted: false);

        double difference = TaskData.MaxRelativeDifference(withBadRows, without);
        Assert.True(difference <= Tolerance, $"max relative difference {difference:G3}");
    }

    [Fact]
    public void SkippedWeightRowsAreCountedInTheLog()
    {
        var ml = new MLContext(seed: 0);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            lock (messages)
                messages.Add(e.Message);
        };
        RegressionRow[] rows = RegressionRows();
        rows[0].Weight = -2f;
        rows[1].Weight = float.NaN;

        TrainRegression(ml, rows, weighted: true);

        Assert.Contains(messages, m => m.Contains(" training rows: 2 with a negative, NaN or infinite weight;"));
    }

    [Fact]
    public void WeightColumnThatIsNotSingleIsRejectedNamingTheColumn()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, RegressionRows(), withWeight: true);
        IDataView doubles = ml.Transforms.Conversion.ConvertType("Weight", outputKind: DataKind.Double).Fit(data).Transform(data);
        MlpOptions options = TaskData.FullBatchSgd(64);
        options.ExampleWeightColumnName = "Weight";

        Exception e = Assert.ThrowsAny<Exception>(() => ml.Regression.Trainers.Mlp(options).Fit(doubles));

        Assert.Contains("weight column 'Weight'", e.Message);
        Assert.Contains("Double", e.Message);
    }

    [Fact]
    public void MissingWeightColumnIsRejectedNamingTheColumn()
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = TaskData.FullBatchSgd(64);
        options.ExampleWeightColumnName = "Importance";

        Exception e = Assert.ThrowsAny<Exception>(() => ml.BinaryClassification.Trainers.Mlp(options).Fit(TaskData.Load(ml, BinaryRows())));

        Assert.Contains("'Importance'", e.Message);
    }

    [Fact]
    public void AllZeroWeightsAreRejected()
    {
        var ml = new MLContext(seed: 0);
        RegressionRow[] rows = RegressionRows();
        foreach (RegressionRow row in rows)
            row.Weight = 0f;

        Exception e = Assert.ThrowsAny<Exception>(() => TrainRegression(ml, rows, weighted: true));

        Assert.Contains("weight 0", e.Message);
    }
}
