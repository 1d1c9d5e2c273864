using Microsoft.ML;
using MlpTrainer.Tests.Learning;
using static MlpTrainer.Tests.TrainingControl.TrainingControlData;

namespace MlpTrainer.Tests.TrainingControl;

/// <summary>
/// Early stopping on a problem that overfits: a tiny noisy training set, a wide net and a high learning rate, so the
/// validation loss bottoms out after a few epochs and then climbs.
/// </summary>
public class EarlyStoppingTests
{
    private const int Patience = 3;
    private static readonly (Datasets.Set Train, Datasets.Set Validation) Data = Overfitting();

    private static MlpModelParameters FitWithValidation(Action<MlpOptions>? configure = null)
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = OverfittingOptions();
        options.EarlyStoppingPatience = Patience;
        configure?.Invoke(options);
        return new MlpEstimator(ml, options).Fit(View(ml, Data.Train), View(ml, Data.Validation)).Model;
    }

    [Fact]
    public void ValidationLossEarlyStoppingStopsBeforeTheLastEpoch()
    {
        MlpModelParameters model = FitWithValidation();

        int run = model.TrainingHistory.Count;
        Assert.True(run < 200, $"ran all {run} epochs");
        Assert.True(run > Patience, $"stopped after {run} epochs; at least patience + 1 must run");
    }

    [Fact]
    public void EarlyStoppedHistoryHoldsExactlyTheEpochsRun()
    {
        MlpModelParameters model = FitWithValidation();

        IReadOnlyList<MlpEpochReport> history = model.TrainingHistory;
        Assert.Equal(Enumerable.Range(1, history.Count), history.Select(e => e.Epoch));
        Assert.Equal(history.Count, history[^1].Epoch);
        Assert.Equal(history.Count, model.EpochsTrained);
    }

    [Fact]
    public void EarlyStoppingStopsWhereTheDocumentedRuleSaysOnTheValidationLoss()
    {
        MlpModelParameters model = FitWithValidation();

        double[] validation = model.TrainingHistory.Select(e => e.ValidationLoss!.Value).ToArray();
        Assert.Equal(StopEpoch(validation, Patience, new MlpOptions().EarlyStoppingTolerance), validation.Length);
    }

    [Fact]
    public void RestoreBestWeightsReturnsTheWeightsOfTheBestValidationEpoch()
    {
        MlpModelParameters model = FitWithValidation(o => o.RestoreBestWeights = true);

        double[] validation = model.TrainingHistory.Select(e => e.ValidationLoss!.Value).ToArray();
        int best = BestEpoch(validation, new MlpOptions().EarlyStoppingTolerance);
        AssertDistinguishable(validation, best);
        (double loss, _) = Evaluate(model, Data.Validation);
        Assert.True(Math.Abs(loss - validation[best - 1]) <= 1e-4 * validation[best - 1],
            $"returned model's validation loss {loss:G9}; best epoch {best} had {validation[best - 1]:G9}, last epoch {validation.Length} had {validation[^1]:G9}");
    }

    [Fact]
    public void WithoutRestoreBestWeightsTheLastEpochsWeightsAreReturned()
    {
        MlpModelParameters model = FitWithValidation(o => o.RestoreBestWeights = false);

        double[] validation = model.TrainingHistory.Select(e => e.ValidationLoss!.Value).ToArray();
        int best = BestEpoch(validation, new MlpOptions().EarlyStoppingTolerance);
        AssertDistinguishable(validation, best);
        (double loss, _) = Evaluate(model, Data.Validation);
        Assert.True(Math.Abs(loss - validation[^1]) <= 1e-4 * validation[^1],
            $"returned model's validation loss {loss:G9}; last epoch {validation.Length} had {validation[^1]:G9}, best epoch {best} had {validation[best - 1]:G9}");
    }

    [Fact]
    public void RestoringTheBestWeightsDoesNotChangeTheEpochsRun()
    {
        MlpModelParameters restored = FitWithValidation(o => o.RestoreBestWeights = true);
        MlpModelParameters last = FitWithValidation(o => o.RestoreBestWeights = false);

        Assert.Equal(restored.TrainingHistory.Select(e => e.ValidationLoss), last.TrainingHistory.Select(e => e.ValidationLoss));
        Assert.False(BitIdentical(Parameters(restored), Parameters(last)), "the best and the last weights are the same");
    }

    [Fact]
    public void WithoutValidationDataPatienceWatchesTheTrainingLoss()
    {
        // A large tolerance: the training loss keeps falling, but soon by less than 0.02 per epoch.
        var ml = new MLContext(seed: 0);
        MlpOptions options = Quick(epochs: 100);
        options.EarlyStoppingPatience = 2;
        options.EarlyStoppingTolerance = 0.02;

        MlpModelParameters model = new MlpEstimator(ml, options).Fit(View(ml, Datasets.Blobs(150, seed: 44))).Model;

        double[] training = model.TrainingHistory.Select(e => e.TrainingLoss).ToArray();
        Assert.True(training.Length < 100, $"ran all {training.Length} epochs");
        Assert.All(model.TrainingHistory, e => Assert.Null(e.ValidationLoss));
        Assert.Equal(StopEpoch(training, 2, 0.02), training.Length);
    }

    [Fact]
    public void AccuracyMetricWithoutValidationDataThrowsAClearArgumentException()
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = Quick(epochs: 5);
        options.EarlyStoppingPatience = 2;
        options.EarlyStoppingMetric = MlpEarlyStoppingMetric.Accuracy;
        var estimator = new MlpEstimator(ml, options);

        var error = Assert.Throws<ArgumentException>(() => estimator.Fit(View(ml, Datasets.Blobs(30, seed: 45))));

        Assert.Contains("Accuracy", error.Message);
        Assert.Contains("validation", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AccuracyMetricWithValidationDataStopsOnTheValidationAccuracy()
    {
        MlpModelParameters model = FitWithValidation(o => o.EarlyStoppingMetric = MlpEarlyStoppingMetric.Accuracy);

        // Higher is better: the rule on the negated accuracy.
        double[] negated = model.TrainingHistory.Select(e => -e.ValidationAccuracy!.Value).ToArray();
        Assert.True(negated.Length < 200, $"ran all {negated.Length} epochs");
        Assert.Equal(StopEpoch(negated, Patience, new MlpOptions().EarlyStoppingTolerance), negated.Length);
    }

    /// <summary>Test setup: the best and the last epoch must differ clearly, or the weight checks prove nothing.</summary>
    private static void AssertDistinguishable(double[] validation, int best)
    {
        Assert.True(best < validation.Length, $"Test setup: the best epoch {best} is the last");
        Assert.True(validation[^1] - validation[best - 1] > 0.01 * validation[best - 1],
            $"Test setup: the last validation loss {validation[^1]:G6} is too close to the best {validation[best - 1]:G6}");
    }
}
