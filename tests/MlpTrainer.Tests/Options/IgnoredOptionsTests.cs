using MlpTrainer.Model;
using MlpTrainer.Tests.Learning;
using MlpTrainer.Tests.Streaming;

namespace MlpTrainer.Tests.Options;

/// <summary>An option set away from its default that the task or the optimizer ignores is named in a logged warning.</summary>
public class IgnoredOptionsTests
{
    private static MlpOptions Small() => new() { HiddenLayerSizes = new[] { 4 }, NumberOfEpochs = 2, Seed = 0, NumberOfThreads = 1 };

    [Theory]
    [InlineData(nameof(MlpOptions.NormalizeLabel))]
    [InlineData(nameof(MlpOptions.RegressionLoss))]
    [InlineData(nameof(MlpOptions.Momentum))]
    public void AMulticlassAdamFitWarnsAboutAnOptionItIgnores(string option)
    {
        MlpOptions options = Small();
        switch (option)
        {
            case nameof(MlpOptions.NormalizeLabel): options.NormalizeLabel = true; break;
            case nameof(MlpOptions.RegressionLoss): options.RegressionLoss = MlpRegressionLoss.Huber; break;
            default: options.Momentum = 0.5f; break;
        }

        (_, List<string> log) = StreamingTestData.FitLogged(options, Datasets.Blobs(60, seed: 1));

        Assert.Contains(log, m => m.Contains($"MlpOptions.{option} is set but ignored"));
    }

    [Fact]
    public void DefaultOptionsWarnAboutNothing()
    {
        (_, List<string> log) = StreamingTestData.FitLogged(Small(), Datasets.Blobs(60, seed: 1));

        Assert.DoesNotContain(log, m => m.Contains("is set but ignored"));
    }

    [Fact]
    public void TheLearningRateIsIgnoredByLbfgsAndUsedByAdam()
    {
        var lbfgs = new MlpOptions { Optimizer = MlpOptimizer.Lbfgs, LearningRate = 0.01f };
        var adam = new MlpOptions { Optimizer = MlpOptimizer.Adam, LearningRate = 0.01f };

        Assert.Contains(lbfgs.IgnoredOptions(MlpTask.Multiclass), m => m.StartsWith("MlpOptions.LearningRate", StringComparison.Ordinal));
        Assert.Empty(adam.IgnoredOptions(MlpTask.Multiclass));
    }

    [Fact]
    public void HuberDeltaCountsOnlyForAHuberRegression()
    {
        var huber = new MlpOptions { RegressionLoss = MlpRegressionLoss.Huber, HuberDelta = 2f };
        var squared = new MlpOptions { HuberDelta = 2f };

        Assert.Empty(huber.IgnoredOptions(MlpTask.Regression));
        Assert.Contains(squared.IgnoredOptions(MlpTask.Regression), m => m.StartsWith("MlpOptions.HuberDelta", StringComparison.Ordinal));
    }
}
