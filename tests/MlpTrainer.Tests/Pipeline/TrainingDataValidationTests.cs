using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Tests.Learning;

namespace MlpTrainer.Tests.Pipeline;

/// <summary>What Fit does with data it cannot use: wrong or missing columns, no rows, bad rows, divergence.</summary>
public class TrainingDataValidationTests
{
    private sealed class FloatLabelRow
    {
        public float Label { get; set; }

        [VectorType(3)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class ScalarFeatureRow
    {
        public float Features { get; set; }
    }

    private static MlpOptions SmallOptions() => new() { HiddenLayerSizes = new[] { 4 }, BatchSize = 16, NumberOfEpochs = 3, Seed = 0 };

    private static IDataView Blobs(MLContext ml, int count = 60) => Datasets.ToDataView(ml, Datasets.Blobs(count, seed: 3));

    [Fact]
    public void MissingFeatureColumnIsASchemaMismatchNamingTheColumn()
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = SmallOptions();
        options.FeatureColumnName = "Pixels";

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new MlpEstimator(ml, options).Fit(Blobs(ml)));

        Assert.Contains("Pixels", ex.Message);
    }

    [Fact]
    public void MissingLabelColumnIsASchemaMismatchNamingTheColumn()
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = SmallOptions();
        options.LabelColumnName = "Species";

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new MlpEstimator(ml, options).Fit(Blobs(ml)));

        Assert.Contains("Species", ex.Message);
    }

    [Fact]
    public void FloatLabelColumnIsASchemaMismatchAskingForAKey()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new FloatLabelRow { Label = 1, Features = new[] { 1f, 2f, 3f } } });

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new MlpEstimator(ml, SmallOptions()).Fit(data));

        Assert.Contains("'Label'", ex.Message);
        Assert.Contains("Key", ex.Message);
    }

    [Fact]
    public void ScalarFeatureColumnIsASchemaMismatchNamingTheColumn()
    {
        var ml = new MLContext(seed: 0);
        IDataView raw = ml.Data.LoadFromEnumerable(new[] { new ScalarFeatureRow { Features = 1f } });
        IDataView data = ml.Transforms.Conversion.MapValueToKey("Label", "Features").Fit(raw).Transform(raw);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new MlpEstimator(ml, SmallOptions()).Fit(data));

        Assert.Contains("'Features'", ex.Message);
    }

    [Fact]
    public void EmptyTrainingDataIsRejectedWithAClearMessage()
    {
        var ml = new MLContext(seed: 0);
        IDataView empty = Datasets.ToDataView(ml, Array.Empty<Datasets.ClassRow>(), featureCount: 3, classes: 3);

        var ex = Assert.Throws<InvalidOperationException>(() => new MlpEstimator(ml, SmallOptions()).Fit(empty));

        Assert.Contains("is empty", ex.Message);
    }

    [Fact]
    public void DataWhoseEveryRowHasANaNFeatureIsRejectedSayingSo()
    {
        var ml = new MLContext(seed: 0);
        var rows = Enumerable.Range(0, 10).Select(i => new Datasets.ClassRow { Label = (uint)(i % 3), Features = new[] { 1f, float.NaN, 0f } });

        var ex = Assert.Throws<InvalidOperationException>(() =>
            new MlpEstimator(ml, SmallOptions()).Fit(Datasets.ToDataView(ml, rows, featureCount: 3, classes: 3)));

        Assert.Contains("NaN", ex.Message);
        Assert.Contains("Features", ex.Message);
    }

    [Fact]
    public void RowsWithNonFiniteFeaturesOrMissingLabelsAreSkipped()
    {
        // Training on clean rows interleaved with bad ones must give exactly the model of the clean rows alone.
        var ml = new MLContext(seed: 0);
        Datasets.Set set = Datasets.Blobs(90, seed: 4);
        var clean = set.Features.Select((f, i) => new Datasets.ClassRow { Label = (uint)set.Labels[i], Features = f }).ToList();
        var dirty = new List<Datasets.ClassRow>();
        for (int i = 0; i < clean.Count; i++)
        {
            dirty.Add(clean[i]);
            dirty.Add((i % 3) switch
            {
                0 => new Datasets.ClassRow { Label = 0, Features = new[] { float.NaN, 1f, 1f } },
                1 => new Datasets.ClassRow { Label = 1, Features = new[] { 1f, float.PositiveInfinity, 1f } },
                _ => new Datasets.ClassRow { Label = 99, Features = new[] { 1f, 1f, 1f } }, // not a class: missing label
            });
        }

        MlpModelParameters fromClean = new MlpEstimator(ml, SmallOptions()).Fit(Datasets.ToDataView(ml, clean, 3, 3)).Model;
        MlpModelParameters fromDirty = new MlpEstimator(ml, SmallOptions()).Fit(Datasets.ToDataView(ml, dirty, 3, 3)).Model;

        for (int layer = 0; layer < fromDirty.LayerCount; layer++)
        {
            Assert.All(fromDirty.GetWeights(layer).ToArray(), w => Assert.True(float.IsFinite(w)));
            Assert.Equal(fromClean.GetWeights(layer).ToArray(), fromDirty.GetWeights(layer).ToArray());
            Assert.Equal(fromClean.GetBiases(layer).ToArray(), fromDirty.GetBiases(layer).ToArray());
        }
    }

    [Theory]
    [InlineData(MlpOptimizer.Sgd)]
    [InlineData(MlpOptimizer.Adam)]
    public void DivergingTrainingThrowsNamingTheLearningRateInsteadOfReturningNaNWeights(MlpOptimizer optimizer)
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = SmallOptions();
        options.Optimizer = optimizer;
        options.LearningRate = 1e30f;
        options.NumberOfEpochs = 20;
        var rows = Datasets.Blobs(60, seed: 5);
        var scaled = new Datasets.Set(rows.Features.Select(f => f.Select(x => x * 1000f).ToArray()).ToArray(), rows.Labels, 3);

        var ex = Assert.Throws<InvalidOperationException>(() => new MlpEstimator(ml, options).Fit(Datasets.ToDataView(ml, scaled)));

        Assert.Contains("LearningRate", ex.Message);
    }
}
