using MlpTrainer.Tests.Learning;
using MlpTrainer.Tests.Streaming;

namespace MlpTrainer.Tests.TrainingControl;

/// <summary>Training that goes wrong while every number stays finite is reported, in the history and the log, never silently.</summary>
public class DivergenceWarningTests
{
    /// <summary>Three blobs with features in the hundreds: what a table looks like before normalization.</summary>
    private static Datasets.Set Unnormalized()
    {
        Datasets.Set blobs = Datasets.Blobs(300, seed: 4);
        return blobs with { Features = blobs.Features.Select(row => row.Select(v => v * 300f + 500f).ToArray()).ToArray() };
    }

    private static MlpOptions Sgd(float learningRate) => new()
    {
        HiddenLayerSizes = new[] { 16 },
        Optimizer = MlpOptimizer.Sgd,
        LearningRate = learningRate,
        NumberOfEpochs = 20,
        EarlyStoppingPatience = 0,
        Seed = 1,
        NumberOfThreads = 1,
    };

    [Fact]
    public void ALearningRateFarTooHighOnUnnormalizedFeaturesWarnsInTheHistoryAndTheLog()
    {
        (MlpModelParameters model, List<string> log) = StreamingTestData.FitLogged(Sgd(10f), Unnormalized());

        MlpEpochReport warned = model.TrainingHistory.First(e => e.Warning is not null);
        Assert.StartsWith("Training is diverging", warned.Warning);
        Assert.Contains("Lower MlpOptions.LearningRate", warned.Warning);
        Assert.Contains(log, m => m.Contains("Training is diverging"));
    }

    [Fact]
    public void AnOrdinaryRunHasNoWarning()
    {
        Datasets.Set blobs = Datasets.Blobs(300, seed: 4);

        (MlpModelParameters model, List<string> log) = StreamingTestData.FitLogged(Sgd(0.01f), blobs);

        Assert.All(model.TrainingHistory, e => Assert.Null(e.Warning));
        Assert.DoesNotContain(log, m => m.Contains("diverging"));
    }
}
