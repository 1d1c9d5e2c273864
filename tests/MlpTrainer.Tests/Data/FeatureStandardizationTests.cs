using MlpTrainer.Data;
using MlpTrainer.Model;

namespace MlpTrainer.Tests.Data;

/// <summary>
/// The network's own feature standardisation: its statistics (mean and 1/standard deviation; indicator columns left as
/// they are), and the fold into the first layer that makes the saved network take the features as given.
/// </summary>
public sealed class FeatureStandardizationTests
{
    private static readonly NetworkLayout Layout = new(new[] { 5, 7, 3 });

    private static (FeatureStandardization Standardization, float[] Parameters) RandomNetwork(int seed)
    {
        var random = new Random(seed);
        float[] parameters = Enumerable.Range(0, Layout.ParameterCount).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] offsets = Enumerable.Range(0, 5).Select(_ => (float)(random.NextDouble() * 2000 - 1000)).ToArray();
        float[] scales = Enumerable.Range(0, 5).Select(_ => (float)(0.001 + random.NextDouble() * 0.01)).ToArray();
        return (new FeatureStandardization(offsets, scales), parameters);
    }

    [Fact]
    public void TheFoldedNetworkScoresRawRowsAsTheTrainedOneScoresStandardisedRows()
    {
        (FeatureStandardization standardization, float[] trained) = RandomNetwork(1);
        float[] folded = (float[])trained.Clone();
        standardization.Fold(Layout, folded);
        var onStandardised = new MlpNetwork(Layout, MlpActivation.Tanh, 0.01f, trained);
        var onRaw = new MlpNetwork(Layout, MlpActivation.Tanh, 0.01f, folded);
        var random = new Random(2);
        float[] expected = new float[3], actual = new float[3];

        for (int r = 0; r < 50; r++)
        {
            float[] raw = Enumerable.Range(0, 5).Select(j => standardization.Offsets[j] + (float)(random.NextDouble() * 2 - 1) / standardization.Scales[j]).ToArray();
            float[] standardised = (float[])raw.Clone();
            standardization.Apply(standardised);
            onStandardised.Predict(standardised, expected, onStandardised.CreateScratch());
            onRaw.Predict(raw, actual, onRaw.CreateScratch());
            for (int c = 0; c < 3; c++)
                Assert.True(Math.Abs(expected[c] - actual[c]) <= 1e-5f, $"row {r}, class {c}: {expected[c]} standardised, {actual[c]} folded");
        }
    }

    [Fact]
    public void UnfoldUndoesFold()
    {
        (FeatureStandardization standardization, float[] trained) = RandomNetwork(3);
        float[] roundTrip = (float[])trained.Clone();

        standardization.Fold(Layout, roundTrip);
        standardization.Unfold(Layout, roundTrip);

        for (int k = 0; k < trained.Length; k++)
            Assert.True(Math.Abs(trained[k] - roundTrip[k]) <= 1e-4f * Math.Max(1f, Math.Abs(trained[k])), $"parameter {k}: {trained[k]} → {roundTrip[k]}");
    }

    [Fact]
    public void FoldTouchesOnlyTheFirstLayer()
    {
        (FeatureStandardization standardization, float[] trained) = RandomNetwork(4);
        float[] folded = (float[])trained.Clone();

        standardization.Fold(Layout, folded);

        int firstLayerEnd = Layout.BiasOffset(0) + Layout.OutputsOf(0);
        Assert.Equal(trained.AsSpan(firstLayerEnd).ToArray(), folded.AsSpan(firstLayerEnd).ToArray());
    }

    [Fact]
    public void ANumericColumnIsCentredAndScaledToUnitDeviation()
    {
        var moments = new FeatureMoments(1);
        foreach (float x in new[] { 2f, 4f, 4f, 4f, 5f, 5f, 7f, 9f })  // mean 5, deviation 2
            moments.Add(new[] { x });

        FeatureStandardization s = moments.Finish();

        Assert.Equal(5f, s.Offsets[0]);
        Assert.Equal(0.5f, s.Scales[0]);
    }

    [Fact]
    public void IndicatorColumnsOfZerosAndOnesAreLeftAsTheyAre()
    {
        var moments = new FeatureMoments(2);
        moments.Add(new[] { 1f, 0f });
        moments.Add(new[] { 0f, 0f });
        moments.Add(new[] { 0f, 0f });
        moments.Add(new[] { 0f, 0f });

        FeatureStandardization s = moments.Finish();

        Assert.Equal(new[] { 0f, 0f }, s.Offsets);
        Assert.Equal(new[] { 1f, 1f }, s.Scales);
    }

    [Fact]
    public void AConstantColumnIsCentredButNotScaled()
    {
        var moments = new FeatureMoments(1);
        for (int i = 0; i < 4; i++)
            moments.Add(new[] { 3.5f });

        FeatureStandardization s = moments.Finish();

        Assert.Equal(3.5f, s.Offsets[0]);
        Assert.Equal(1f, s.Scales[0]);
    }

    [Fact]
    public void ASparseRowCountsItsZeros()
    {
        var dense = new FeatureMoments(3);
        var sparse = new FeatureMoments(3);
        dense.Add(new[] { 0f, 2f, 0f });
        dense.Add(new[] { 6f, 0f, 0f });
        sparse.Add(new Microsoft.ML.Data.VBuffer<float>(3, 1, new[] { 2f }, new[] { 1 }));
        sparse.Add(new Microsoft.ML.Data.VBuffer<float>(3, 1, new[] { 6f }, new[] { 0 }));

        FeatureStandardization a = dense.Finish(), b = sparse.Finish();

        Assert.Equal(a.Offsets, b.Offsets);
        Assert.Equal(a.Scales, b.Scales);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    [InlineData(784)]
    public void EachColumnsSumsAndStandardisationAreToTheBitThoseOfAOneColumnPassWhateverVectorsTheRowsTake(int width)
    {
        var random = new Random(width);
        const int rows = 50, classes = 3;
        float[][] data = Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, width).Select(_ => (float)(random.NextDouble() * 10 - 3)).ToArray()).ToArray();
        float[] weights = Enumerable.Range(0, rows).Select(_ => (float)random.NextDouble() * 2).ToArray();
        int[] strata = Enumerable.Range(0, rows).Select(_ => random.Next(classes)).ToArray();
        float[] classWeights = { 0.5f, 1f, 3f };
        var whole = new FeatureMoments(width, classes);
        for (int r = 0; r < rows; r++)
            whole.Add(data[r], weights[r], strata[r]);

        FeatureStandardization all = whole.Finish(classWeights);

        for (int j = 0; j < width; j++)
        {
            var column = new FeatureMoments(1, classes); // one value a row: the scalar loop
            for (int r = 0; r < rows; r++)
                column.Add(new[] { data[r][j] }, weights[r], strata[r]);
            FeatureStandardization one = column.Finish(classWeights);
            for (int c = 0; c < classes; c++)
                Assert.Equal(Bits(column.Sums(c, 0)), Bits(whole.Sums(c, j)));
            Assert.Equal(BitConverter.SingleToInt32Bits(one.Offsets[0]), BitConverter.SingleToInt32Bits(all.Offsets[j]));
            Assert.Equal(BitConverter.SingleToInt32Bits(one.Scales[0]), BitConverter.SingleToInt32Bits(all.Scales[j]));
        }
    }

    [Fact]
    public void ARowOfAnotherWidthIsRefused()
    {
        var moments = new FeatureMoments(16, 2);

        var e = Assert.Throws<ArgumentException>(() => moments.Add(new float[32], 1f, 0));

        Assert.Contains("16 features", e.Message);
    }

    private static (long, long, long) Bits((double Sum, double SumOfSquares, double OffIndicator) sums)
        => (BitConverter.DoubleToInt64Bits(sums.Sum), BitConverter.DoubleToInt64Bits(sums.SumOfSquares), BitConverter.DoubleToInt64Bits(sums.OffIndicator));
}
