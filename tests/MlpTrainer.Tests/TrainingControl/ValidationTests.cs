using Microsoft.ML;
using MlpTrainer.Data;
using MlpTrainer.Tests.Learning;
using MlpTrainer.Training;
using static MlpTrainer.Tests.TrainingControl.TrainingControlData;

namespace MlpTrainer.Tests.TrainingControl;

/// <summary>Validation data: given to <c>Fit</c>, or held out of the training rows with <see cref="MlpOptions.ValidationFraction"/>.</summary>
public class ValidationTests
{
    private static readonly Datasets.Set Train = Datasets.Blobs(120, seed: 41);
    private static readonly Datasets.Set Validation = Datasets.Blobs(60, seed: 42);

    [Fact]
    public void FitWithValidationDataFillsValidationLossAndAccuracyInEveryHistoryEntry()
    {
        var ml = new MLContext(seed: 0);
        MlpModelParameters model = new MlpEstimator(ml, Quick(epochs: 4)).Fit(View(ml, Train), View(ml, Validation)).Model;

        Assert.Equal(4, model.TrainingHistory.Count);
        Assert.All(model.TrainingHistory, e =>
        {
            Assert.NotNull(e.ValidationLoss);
            Assert.NotNull(e.ValidationAccuracy);
            Assert.True(double.IsFinite(e.ValidationLoss!.Value) && e.ValidationLoss > 0, $"epoch {e.Epoch}: validation loss {e.ValidationLoss}");
            Assert.InRange(e.ValidationAccuracy!.Value, 0.0, 1.0);
        });
    }

    [Fact]
    public void LastEpochsValidationMetricsAreThoseOfTheReturnedModelOnTheValidationRows()
    {
        var ml = new MLContext(seed: 0);
        MlpModelParameters model = new MlpEstimator(ml, Quick(epochs: 4)).Fit(View(ml, Train), View(ml, Validation)).Model;

        (double loss, double accuracy) = Evaluate(model, Validation);
        MlpEpochReport last = model.TrainingHistory[^1];
        Assert.Equal(loss, last.ValidationLoss!.Value, 1e-4 * loss);
        Assert.Equal(accuracy, last.ValidationAccuracy!.Value, 1e-12);
    }

    [Fact]
    public void FitWithoutValidationLeavesValidationLossAndAccuracyNull()
    {
        var ml = new MLContext(seed: 0);
        MlpModelParameters model = new MlpEstimator(ml, Quick(epochs: 3)).Fit(View(ml, Train)).Model;

        Assert.Equal(3, model.TrainingHistory.Count);
        Assert.All(model.TrainingHistory, e =>
        {
            Assert.Null(e.ValidationLoss);
            Assert.Null(e.ValidationAccuracy);
        });
    }

    [Fact]
    public void ValidationFractionHoldsOutRowsAndReportsValidationMetricsEveryEpoch()
    {
        // 90 rows, 30 per class: 20 % stratified is 6 per class, 18 in all, so every accuracy is a multiple of 1/18.
        var ml = new MLContext(seed: 0);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            lock (messages)
                messages.Add(e.Message);
        };
        MlpOptions options = Quick(epochs: 3);
        options.ValidationFraction = 0.2f;

        MlpModelParameters model = new MlpEstimator(ml, options).Fit(View(ml, Datasets.Blobs(90, seed: 43))).Model;

        Assert.Equal(3, model.TrainingHistory.Count);
        Assert.All(model.TrainingHistory, e =>
        {
            Assert.NotNull(e.ValidationLoss);
            double held = e.ValidationAccuracy!.Value * 18;
            Assert.True(Math.Abs(held - Math.Round(held)) < 1e-9, $"epoch {e.Epoch}: accuracy {e.ValidationAccuracy} is not k/18");
        });
        lock (messages)
            Assert.Contains(messages, m => m.Contains("Holding out 18 of 90 rows", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenValidationDataValidationFractionIsNotUsed()
    {
        // With validation data passed to Fit, all training rows train: the same weights as without ValidationFraction.
        var ml = new MLContext(seed: 0);
        MlpOptions withFraction = Quick(epochs: 3);
        withFraction.ValidationFraction = 0.5f;

        MlpModelParameters a = new MlpEstimator(ml, withFraction).Fit(View(ml, Train), View(ml, Validation)).Model;
        MlpModelParameters b = new MlpEstimator(ml, Quick(epochs: 3)).Fit(View(ml, Train), View(ml, Validation)).Model;

        Assert.True(BitIdentical(Parameters(a), Parameters(b)));
        Assert.Equal(b.TrainingHistory.Select(e => e.ValidationLoss), a.TrainingHistory.Select(e => e.ValidationLoss));
    }

    [Fact]
    public void StratifiedSplitHoldsOutTheFractionOfEachClassDisjointlyAndCoversEveryRow()
    {
        DenseDataset data = Unbalanced(new[] { 50, 30, 20, 7 });

        TrainingData split = TrainingData.SplitStratified(data, 0.2f, seed: 5);

        int[] train = split.TrainRows, validation = split.ValidationRows!;
        Assert.Same(data, split.Train);
        Assert.Same(data, split.Validation);
        Assert.Empty(train.Intersect(validation));
        Assert.Equal(Enumerable.Range(0, data.RowCount), train.Concat(validation).OrderBy(r => r));
        Assert.Equal(train.Length, train.Distinct().Count());
        Assert.Equal(validation.Length, validation.Distinct().Count());
        int[] heldPerClass = Enumerable.Range(0, 4).Select(c => validation.Count(r => data.Label(r) == c)).ToArray();
        Assert.Equal(new[] { 10, 6, 4, 1 }, heldPerClass); // round(0.2 · n) of each class
    }

    [Fact]
    public void StratifiedSplitIsRepeatableForASeedAndDiffersBetweenSeeds()
    {
        DenseDataset data = Unbalanced(new[] { 40, 40, 40 });

        TrainingData a = TrainingData.SplitStratified(data, 0.25f, seed: 9);
        TrainingData b = TrainingData.SplitStratified(data, 0.25f, seed: 9);
        TrainingData c = TrainingData.SplitStratified(data, 0.25f, seed: 10);

        Assert.Equal(a.ValidationRows, b.ValidationRows);
        Assert.Equal(a.TrainRows, b.TrainRows);
        Assert.NotEqual(a.ValidationRows, c.ValidationRows);
    }

    [Fact]
    public void StratifiedSplitDoesNotTakeEveryRowOfTheFirstRowsOfAClass()
    {
        // Rows are stored class by class in order; a split that just took the first 20 % of each class would be biased.
        DenseDataset data = Unbalanced(new[] { 100 });

        int[] validation = TrainingData.SplitStratified(data, 0.2f, seed: 1).ValidationRows!;

        Assert.Equal(20, validation.Length);
        Assert.NotEqual(Enumerable.Range(0, 20), validation);
        Assert.True(validation.Max() >= 50, $"held-out rows {string.Join(",", validation)} all come from the first half");
    }

    [Fact]
    public void StratifiedSplitKeepsAtLeastOneTrainingRowOfEachClass()
    {
        DenseDataset data = Unbalanced(new[] { 1, 2, 10 });

        TrainingData split = TrainingData.SplitStratified(data, 0.9f, seed: 2);

        for (int c = 0; c < 3; c++)
            Assert.Contains(split.TrainRows, r => data.Label(r) == c);
    }

    /// <summary>A dataset with the given number of rows per class, stored class after class; feature 0 is the row index.</summary>
    private static DenseDataset Unbalanced(int[] perClass)
    {
        var data = new DenseDataset(2, perClass.Length);
        for (int c = 0; c < perClass.Length; c++)
        {
            for (int i = 0; i < perClass[c]; i++)
                data.Add(new[] { (float)data.RowCount, c }, c);
        }
        return data;
    }
}
