using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Tests.Tasks;

/// <summary>ClassWeights (by the label's value as text) and UseBalancedClassWeights for the binary trainer; both refused for regression.</summary>
public class ClassWeightTests
{
    private static MlpOptions ImbalancedOptions() => new()
    {
        HiddenLayerSizes = new[] { 8 },
        Activation = MlpActivation.Tanh,
        Optimizer = MlpOptimizer.Adam,
        LearningRate = 0.01f,
        BatchSize = 64,
        NumberOfEpochs = 30,
        Seed = 5,
        NumberOfThreads = 1,
    };

    private static BinaryClassificationMetrics Evaluate(MLContext ml, MlpOptions options)
    {
        var model = ml.BinaryClassification.Trainers.Mlp(options).Fit(TaskData.Load(ml, TaskData.ImbalancedBinary(1200, seed: 1)));
        return ml.BinaryClassification.EvaluateNonCalibrated(model.Transform(TaskData.Load(ml, TaskData.ImbalancedBinary(1200, seed: 2))));
    }

    [Fact]
    public void UpWeightingTheRareClassRaisesItsRecall()
    {
        var ml = new MLContext(seed: 0);
        MlpOptions weighted = ImbalancedOptions();
        weighted.ClassWeights = new Dictionary<string, float> { ["True"] = 6f };

        double plainRecall = Evaluate(ml, ImbalancedOptions()).PositiveRecall;
        double weightedRecall = Evaluate(ml, weighted).PositiveRecall;

        Assert.True(weightedRecall > plainRecall + 0.15, $"recall of True: {plainRecall:G3} unweighted, {weightedRecall:G3} with weight 6");
    }

    [Fact]
    public void ClassNamesMatchWhateverTheirCase()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, TaskData.ImbalancedBinary(200, seed: 3));
        MlpOptions upper = ImbalancedOptions(), lower = ImbalancedOptions();
        upper.NumberOfEpochs = lower.NumberOfEpochs = 3;
        upper.ClassWeights = new Dictionary<string, float> { ["True"] = 4f };
        lower.ClassWeights = new Dictionary<string, float> { ["true"] = 4f };

        float[] a = TaskData.Parameters(ml.BinaryClassification.Trainers.Mlp(upper).Fit(data).Model);
        float[] b = TaskData.Parameters(ml.BinaryClassification.Trainers.Mlp(lower).Fit(data).Model);

        TaskData.AssertBitIdentical(a, b, "parameter");
    }

    [Fact]
    public void BalancedClassWeightsEqualTheExplicitNOverKTimesClassCountWeightsBitwise()
    {
        var ml = new MLContext(seed: 0);
        BinaryRow[] rows = TaskData.ImbalancedBinary(300, seed: 4);
        IDataView data = TaskData.Load(ml, rows);
        int n = rows.Length, positives = rows.Count(r => r.Label), negatives = n - positives;
        MlpOptions balanced = ImbalancedOptions(), explicitWeights = ImbalancedOptions();
        balanced.NumberOfEpochs = explicitWeights.NumberOfEpochs = 5;
        balanced.UseBalancedClassWeights = true;
        explicitWeights.ClassWeights = new Dictionary<string, float>
        {
            ["False"] = (float)((double)n / (2 * negatives)),
            ["True"] = (float)((double)n / (2 * positives)),
        };

        float[] a = TaskData.Parameters(ml.BinaryClassification.Trainers.Mlp(balanced).Fit(data).Model);
        float[] b = TaskData.Parameters(ml.BinaryClassification.Trainers.Mlp(explicitWeights).Fit(data).Model);

        TaskData.AssertBitIdentical(b, a, "parameter");
    }

    [Fact]
    public void BalancedClassWeightsChangeTheFit()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, TaskData.ImbalancedBinary(300, seed: 4));
        MlpOptions balanced = ImbalancedOptions(), plain = ImbalancedOptions();
        balanced.NumberOfEpochs = plain.NumberOfEpochs = 5;
        balanced.UseBalancedClassWeights = true;

        float[] a = TaskData.Parameters(ml.BinaryClassification.Trainers.Mlp(balanced).Fit(data).Model);
        float[] b = TaskData.Parameters(ml.BinaryClassification.Trainers.Mlp(plain).Fit(data).Model);

        Assert.True(TaskData.MaxRelativeDifference(a, b) > 1e-3);
    }

    [Fact]
    public void UnknownClassNameIsRejectedListingTheClasses()
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = ImbalancedOptions();
        options.ClassWeights = new Dictionary<string, float> { ["Maybe"] = 2f };

        Exception e = Assert.ThrowsAny<Exception>(() =>
            ml.BinaryClassification.Trainers.Mlp(options).Fit(TaskData.Load(ml, TaskData.ImbalancedBinary(50, seed: 1))));

        Assert.Contains("'Maybe'", e.Message);
        Assert.Contains("False, True", e.Message);
    }

    [Fact]
    public void ClassWeightsTogetherWithBalancedClassWeightsAreRejectedAtConstruction()
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = ImbalancedOptions();
        options.ClassWeights = new Dictionary<string, float> { ["True"] = 2f };
        options.UseBalancedClassWeights = true;

        ArgumentException e = Assert.Throws<ArgumentException>(() => new MlpBinaryEstimator(ml, options));

        Assert.Contains("ClassWeights", e.Message);
        Assert.Contains("UseBalancedClassWeights", e.Message);
    }

    [Fact]
    public void ClassWeightsTogetherWithBalancedClassWeightsAreRejectedByTheCatalog()
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = ImbalancedOptions();
        options.ClassWeights = new Dictionary<string, float> { ["False"] = 2f };
        options.UseBalancedClassWeights = true;

        Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Mlp(options));
    }

    [Fact]
    public void ClassWeightsOnRegressionAreRejectedAtConstructionNamingTheOption()
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = TaskData.SmallOptions(epochs: 1);
        options.ClassWeights = new Dictionary<string, float> { ["1"] = 2f };

        ArgumentException e = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Mlp(options));

        Assert.Contains("ClassWeights", e.Message);
        Assert.Contains("regression", e.Message);
    }

    [Fact]
    public void BalancedClassWeightsOnRegressionAreRejectedAtConstructionNamingTheOption()
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = TaskData.SmallOptions(epochs: 1);
        options.UseBalancedClassWeights = true;

        ArgumentException e = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Mlp(options));

        Assert.Contains("UseBalancedClassWeights", e.Message);
    }

    [Fact]
    public void ClassWeightsMultiplyTheExampleWeights()
    {
        // A True row of example weight 1.5 with class weight 2 weighs 3: the same fit as example weight 3 alone.
        var ml = new MLContext(seed: 0);
        BinaryRow[] rows = TaskData.SeparableBinary(40, seed: 8);
        foreach (BinaryRow row in rows.Where(r => r.Label))
            row.Weight = 1.5f;
        MlpOptions classWeighted = TaskData.FullBatchSgd(64);
        classWeighted.ExampleWeightColumnName = "Weight";
        classWeighted.ClassWeights = new Dictionary<string, float> { ["True"] = 2f };
        float[] a = TaskData.Parameters(ml.BinaryClassification.Trainers.Mlp(classWeighted).Fit(TaskData.Load(ml, rows, withWeight: true)).Model);

        foreach (BinaryRow row in rows.Where(r => r.Label))
            row.Weight = 3f;
        MlpOptions exampleWeighted = TaskData.FullBatchSgd(64);
        exampleWeighted.ExampleWeightColumnName = "Weight";
        float[] b = TaskData.Parameters(ml.BinaryClassification.Trainers.Mlp(exampleWeighted).Fit(TaskData.Load(ml, rows, withWeight: true)).Model);

        TaskData.AssertBitIdentical(b, a, "parameter");
    }
}
