using Microsoft.ML;
using MlpTrainer.Tests.Learning;

namespace MlpTrainer.Tests.Pipeline;

/// <summary>PredictBatch scores many rows with the matrix kernels and agrees with row-by-row scoring.</summary>
public class BatchScoringTests
{
    private static readonly Datasets.Set Data = Datasets.Blobs(700, seed: 5);

    private static MlpModelParameters Train(int[] hidden)
    {
        var ml = new MLContext(seed: 1);
        var options = new MlpOptions { HiddenLayerSizes = hidden, NumberOfEpochs = 3, BatchSize = 64, LearningRate = 0.01f, Seed = 3 };
        return new MlpEstimator(ml, options).Fit(Datasets.ToDataView(ml, Data)).Model;
    }

    private static float[] Flatten(IEnumerable<float[]> rows) => rows.SelectMany(r => r).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void BatchScoresEqualRowByRowScoresWithinRounding(int threads)
    {
        MlpModelParameters model = Train(new[] { 32, 16 });
        float[] features = Flatten(Data.Features); // 700 rows: more than one block of 512
        var outputs = new float[Data.Count * model.NumberOfClasses];

        int scored = model.PredictBatch(features, outputs, threads);

        Assert.Equal(Data.Count, scored);
        for (int r = 0; r < Data.Count; r++)
        {
            float[] expected = model.Predict(Data.Features[r]);
            for (int c = 0; c < expected.Length; c++)
                Assert.True(Math.Abs(expected[c] - outputs[r * expected.Length + c]) <= 1e-5f, $"row {r} class {c}: {expected[c]} vs {outputs[r * expected.Length + c]}");
        }
    }

    [Fact]
    public void BatchScoresAreTheSameForOneAndTwoThreads()
    {
        MlpModelParameters model = Train(new[] { 24 });
        float[] features = Flatten(Data.Features);
        var one = new float[Data.Count * model.NumberOfClasses];
        var two = new float[one.Length];

        model.PredictBatch(features, one, 1);
        model.PredictBatch(features, two, 2);

        Assert.Equal(one, two);
    }

    [Fact]
    public void FeaturesThatAreNotWholeRowsAreRejected()
    {
        MlpModelParameters model = Train(new[] { 8 });
        var error = Assert.Throws<ArgumentException>(() => model.PredictBatch(new float[Data.Features[0].Length + 1], new float[100]));
        Assert.Equal("features", error.ParamName);
    }

    [Fact]
    public void TooSmallOutputIsRejected()
    {
        MlpModelParameters model = Train(new[] { 8 });
        var error = Assert.Throws<ArgumentException>(() => model.PredictBatch(Flatten(Data.Features.Take(4)), new float[4 * model.NumberOfClasses - 1]));
        Assert.Equal("outputs", error.ParamName);
    }
}
