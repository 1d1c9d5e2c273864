using Microsoft.ML;
using MlpTrainer.Tests.Learning;

namespace MlpTrainer.Tests.Pipeline;

/// <summary>Training is a pure function of the data, the options and the seed — not of the thread count.</summary>
public class DeterminismTests
{
    private static readonly Datasets.Set Data = Datasets.Blobs(256, seed: 21);

    private static MlpModelParameters Train(MLContext ml, Action<MlpOptions>? configure = null)
    {
        var options = new MlpOptions { HiddenLayerSizes = new[] { 24, 12 }, BatchSize = 64, NumberOfEpochs = 5, LearningRate = 0.01f, Seed = 42 };
        configure?.Invoke(options);
        return new MlpEstimator(ml, options).Fit(Datasets.ToDataView(ml, Data)).Model;
    }

    /// <summary>All weights then all biases, layer by layer.</summary>
    private static float[] Parameters(MlpModelParameters model)
        => Enumerable.Range(0, model.LayerCount).SelectMany(l => model.GetWeights(l).ToArray().Concat(model.GetBiases(l).ToArray())).ToArray();

    [Fact]
    public void SameSeedGivesBitIdenticalWeightsAndScores()
    {
        MlpModelParameters a = Train(new MLContext(seed: 1));
        MlpModelParameters b = Train(new MLContext(seed: 2)); // the options' seed wins over the context's

        for (int layer = 0; layer < a.LayerCount; layer++)
        {
            Assert.Equal(a.GetWeights(layer).ToArray(), b.GetWeights(layer).ToArray());
            Assert.Equal(a.GetBiases(layer).ToArray(), b.GetBiases(layer).ToArray());
        }
        foreach (float[] row in Data.Features)
            Assert.Equal(a.Predict(row), b.Predict(row));
    }

    [Fact]
    public void DifferentSeedsGiveDifferentWeights()
    {
        float[] a = Parameters(Train(new MLContext(seed: 1), o => o.Seed = 1));
        float[] b = Parameters(Train(new MLContext(seed: 1), o => o.Seed = 2));

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void WithoutAnOptionsSeedTheContextSeedMakesTrainingRepeatable()
    {
        float[] a = Parameters(Train(new MLContext(seed: 5), o => o.Seed = null));
        float[] b = Parameters(Train(new MLContext(seed: 5), o => o.Seed = null));
        float[] other = Parameters(Train(new MLContext(seed: 6), o => o.Seed = null));

        Assert.Equal(a, b);
        Assert.NotEqual(a, other);
    }

    [Fact]
    public void OneOrTwoThreadsGiveBitIdenticalWeights()
    {
        float[] one = Parameters(Train(new MLContext(seed: 1), o => o.NumberOfThreads = 1));
        float[] two = Parameters(Train(new MLContext(seed: 1), o => o.NumberOfThreads = 2));

        Assert.Equal(one, two);
    }

    [Fact]
    public void TurningShufflingOffChangesTheResultButStaysRepeatable()
    {
        // Same seed, shuffling on and off: the epochs visit the rows in different orders, so the weights differ.
        float[] shuffled = Parameters(Train(new MLContext(seed: 1), o => o.Shuffle = true));
        float[] ordered = Parameters(Train(new MLContext(seed: 1), o => o.Shuffle = false));
        float[] orderedAgain = Parameters(Train(new MLContext(seed: 1), o => o.Shuffle = false));

        Assert.NotEqual(shuffled, ordered);
        Assert.Equal(ordered, orderedAgain);
    }
}
