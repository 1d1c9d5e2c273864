using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Tests.Tasks;

/// <summary>ML.NET's CrossValidate with pipelines ending in the binary and regression MLP trainers.</summary>
public class TaskCrossValidationTests
{
    [Fact]
    public void BinaryCrossValidateReturnsTheRequestedFoldsWithGoodAuc()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, TaskData.SeparableBinary(450, seed: 12));
        var pipeline = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.BinaryClassification.Trainers.Mlp(TaskData.SmallOptions(epochs: 25, hidden: new[] { 12 })));

        var results = ml.BinaryClassification.CrossValidate(data, pipeline, numberOfFolds: 3);

        Assert.Equal(3, results.Count);
        Assert.Equal(new[] { 0, 1, 2 }, results.Select(r => r.Fold).OrderBy(f => f).ToArray());
        foreach (var fold in results)
        {
            Assert.True(fold.Metrics.AreaUnderRocCurve > 0.9, $"fold {fold.Fold}: AUC {fold.Metrics.AreaUnderRocCurve:G4}");
            Assert.True(double.IsFinite(fold.Metrics.LogLoss), $"fold {fold.Fold}: log-loss {fold.Metrics.LogLoss}");
            Assert.NotNull(fold.Model);
        }
    }

    [Fact]
    public void BinaryCrossValidateScoresEachFoldOnlyOnItsHeldOutRows()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, TaskData.SeparableBinary(300, seed: 13));
        var pipeline = ml.BinaryClassification.Trainers.Mlp(TaskData.SmallOptions(epochs: 3));

        var results = ml.BinaryClassification.CrossValidate(data, pipeline, numberOfFolds: 3);

        long scored = results.Sum(r => r.ScoredHoldOutSet.GetColumn<float>("Score").LongCount());
        Assert.Equal(300, scored);
    }

    [Fact]
    public void RegressionCrossValidateReturnsTheRequestedFoldsWithSmallRmse()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, TaskData.Radial(450, seed: 14));
        MlpOptions options = TaskData.SmallOptions(epochs: 40, hidden: new[] { 16 });
        options.NormalizeLabel = true;
        var pipeline = ml.Transforms.NormalizeMinMax("Features").Append(ml.Regression.Trainers.Mlp(options));

        var results = ml.Regression.CrossValidate(data, pipeline, numberOfFolds: 4);

        Assert.Equal(4, results.Count);
        foreach (var fold in results)
        {
            // The label's standard deviation is about 0.15; a model worth the name is well below it.
            Assert.True(fold.Metrics.RootMeanSquaredError < 0.05, $"fold {fold.Fold}: RMSE {fold.Metrics.RootMeanSquaredError:G4}");
            Assert.True(fold.Metrics.RSquared > 0.8, $"fold {fold.Fold}: R² {fold.Metrics.RSquared:G4}");
        }
    }
}
