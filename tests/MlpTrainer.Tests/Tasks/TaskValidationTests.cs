using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Tests.Tasks;

/// <summary>Validation data and early stopping with the binary and regression trainers.</summary>
public class TaskValidationTests
{
    [Fact]
    public void RegressionWithValidationDataReportsValidationLossWithoutAccuracy()
    {
        var ml = new MLContext(seed: 0);
        var model = new MlpRegressionEstimator(ml, TaskData.SmallOptions(epochs: 4))
            .Fit(TaskData.Load(ml, TaskData.Radial(200, seed: 1)), TaskData.Load(ml, TaskData.Radial(80, seed: 2))).Model;

        Assert.Equal(4, model.TrainingHistory.Count);
        Assert.All(model.TrainingHistory, h =>
        {
            Assert.NotNull(h.ValidationLoss);
            Assert.True(double.IsFinite(h.ValidationLoss!.Value) && h.ValidationLoss >= 0);
            Assert.Null(h.ValidationAccuracy);
        });
    }

    [Fact]
    public void RegressionValidationLossIsTheEvaluatorsMeanSquaredError()
    {
        var ml = new MLContext(seed: 0);
        IDataView validation = TaskData.Load(ml, TaskData.Radial(150, seed: 2));
        MlpOptions options = TaskData.SmallOptions(epochs: 5);
        options.NormalizeLabel = false; // the loss in the label's own units
        options.EarlyStoppingPatience = 0; // the model keeps the last epoch's weights, whose validation loss is compared
        var model = new MlpRegressionEstimator(ml, options).Fit(TaskData.Load(ml, TaskData.Radial(200, seed: 1)), validation);

        double mse = ml.Regression.Evaluate(model.Transform(validation)).MeanSquaredError;

        double reported = model.Model.TrainingHistory[^1].ValidationLoss!.Value;
        Assert.True(Math.Abs(reported - mse) <= 1e-4 * mse, $"last epoch's validation loss {reported:R}, evaluator's MSE {mse:R}");
    }

    [Fact]
    public void RegressionValidationLossIsInStandardisedUnitsWithNormalizeLabel()
    {
        var ml = new MLContext(seed: 0);
        IDataView validation = TaskData.Load(ml, TaskData.Radial(150, seed: 2, scale: 1000, offset: 5000));
        MlpOptions options = TaskData.SmallOptions(epochs: 5);
        options.NormalizeLabel = true;
        var model = new MlpRegressionEstimator(ml, options).Fit(TaskData.Load(ml, TaskData.Radial(200, seed: 1, 1000, 5000)), validation);

        double mse = ml.Regression.Evaluate(model.Transform(validation)).MeanSquaredError;

        double deviation = model.Model.LabelScaling.StandardDeviation;
        double reported = model.Model.TrainingHistory[^1].ValidationLoss!.Value;
        double expected = mse / (deviation * deviation);
        Assert.True(Math.Abs(reported - expected) <= 1e-3 * expected, $"validation loss {reported:R}, MSE / σ² = {expected:R}");
    }

    [Fact]
    public void RegressionValidationFractionHoldsOutRowsAndReportsValidationLoss()
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = TaskData.SmallOptions(epochs: 3);
        options.ValidationFraction = 0.25f;

        var model = ml.Regression.Trainers.Mlp(options).Fit(TaskData.Load(ml, TaskData.Radial(200, seed: 1))).Model;

        Assert.All(model.TrainingHistory, h => Assert.True(h.ValidationLoss is not null && h.ValidationAccuracy is null));
    }

    [Fact]
    public void BinaryWithValidationDataReportsValidationLossAndAccuracy()
    {
        var ml = new MLContext(seed: 0);
        var model = new MlpBinaryEstimator(ml, TaskData.SmallOptions(epochs: 4))
            .Fit(TaskData.Load(ml, TaskData.SeparableBinary(200, seed: 1)), TaskData.Load(ml, TaskData.SeparableBinary(80, seed: 2))).Model;

        Assert.Equal(4, model.TrainingHistory.Count);
        Assert.All(model.TrainingHistory, h =>
        {
            Assert.NotNull(h.ValidationLoss);
            Assert.NotNull(h.ValidationAccuracy);
            Assert.InRange(h.ValidationAccuracy!.Value, 0, 1);
        });
    }

    [Fact]
    public void BinaryValidationAccuracyAndLossAgreeWithTheEvaluator()
    {
        var ml = new MLContext(seed: 0);
        IDataView validation = TaskData.Load(ml, TaskData.SeparableBinary(200, seed: 2));
        var model = new MlpBinaryEstimator(ml, TaskData.SmallOptions(epochs: 8)).Fit(TaskData.Load(ml, TaskData.SeparableBinary(300, seed: 1)), validation);

        CalibratedBinaryClassificationMetrics metrics = ml.BinaryClassification.Evaluate(model.Transform(validation));

        MlpEpochReport last = model.Model.TrainingHistory[^1];
        Assert.Equal(metrics.Accuracy, last.ValidationAccuracy!.Value, 1.0 / 200);
        // ML.NET's log-loss is in bits; the trainer's is in nats.
        double inNats = metrics.LogLoss * Math.Log(2);
        Assert.True(Math.Abs(last.ValidationLoss!.Value - inNats) <= 1e-3 * inNats, $"validation loss {last.ValidationLoss:R}, evaluator {inNats:R} nats");
    }

    [Fact]
    public void BinaryEarlyStoppingOnAccuracyStopsOnceAccuracyPlateaus()
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = TaskData.SmallOptions(epochs: 300);
        options.EarlyStoppingPatience = 3;
        options.EarlyStoppingMetric = MlpEarlyStoppingMetric.Accuracy;

        var model = new MlpBinaryEstimator(ml, options)
            .Fit(TaskData.Load(ml, TaskData.SeparableBinary(200, seed: 1)), TaskData.Load(ml, TaskData.SeparableBinary(80, seed: 2))).Model;

        Assert.InRange(model.TrainingHistory.Count, 4, 299);
    }

    [Fact]
    public void RegressionEarlyStoppingOnAccuracyWithValidationDataIsRejected()
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = TaskData.SmallOptions(epochs: 5);
        options.EarlyStoppingPatience = 2;
        options.EarlyStoppingMetric = MlpEarlyStoppingMetric.Accuracy;

        ArgumentException e = Assert.Throws<ArgumentException>(() => new MlpRegressionEstimator(ml, options)
            .Fit(TaskData.Load(ml, TaskData.Radial(100, seed: 1)), TaskData.Load(ml, TaskData.Radial(40, seed: 2))));

        Assert.Contains("EarlyStoppingMetric", e.Message);
        Assert.Contains("classification", e.Message);
    }

    [Fact]
    public void RegressionEarlyStoppingOnAccuracyWithoutValidationDataSaysAccuracyIsForClassification()
    {
        // Without validation data the user should hear the real problem (no accuracy for a regression), not advice to
        // add validation data that would only lead to the other error.
        var ml = new MLContext(seed: 0);
        MlpOptions options = TaskData.SmallOptions(epochs: 5);
        options.EarlyStoppingPatience = 2;
        options.EarlyStoppingMetric = MlpEarlyStoppingMetric.Accuracy;

        ArgumentException e = Assert.Throws<ArgumentException>(() => new MlpRegressionEstimator(ml, options)
            .Fit(TaskData.Load(ml, TaskData.Radial(100, seed: 1))));

        Assert.Contains("classification", e.Message);
    }
}
