using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlpTrainer.Tests.Learning;

namespace MlpTrainer.Tests.Pipeline;

/// <summary>
/// Rows with a NaN feature are left out of training loudly: one warning in <c>mlContext.Log</c> with the count and the
/// way out, kept on the first epoch of the model's history; and what scoring such a row gives (NaN scores, key 0),
/// as the README says.
/// </summary>
public class SkippedRowsTests
{
    private const int CleanRows = 300, NaNRows = 144;

    private static MlpOptions Options() => new() { HiddenLayerSizes = new[] { 6 }, BatchSize = 32, NumberOfEpochs = 3, EarlyStoppingPatience = 0, Seed = 0 };

    /// <summary>Three blobs, with <see cref="NaNRows"/> rows whose second feature is NaN spread among them.</summary>
    private static IDataView WithNaNRows(MLContext ml)
    {
        Datasets.Set set = Datasets.Blobs(CleanRows, seed: 4);
        var rows = set.Features.Select((f, i) => new Datasets.ClassRow { Label = (uint)set.Labels[i], Features = f }).ToList();
        for (int i = 0; i < NaNRows; i++)
            rows.Insert(2 * i + 1, new Datasets.ClassRow { Label = (uint)(i % 3), Features = new[] { 1f, float.NaN, 0f } });
        return Datasets.ToDataView(ml, rows, featureCount: 3, classes: 3);
    }

    private static List<(ChannelMessageKind Kind, string Message)> Listen(MLContext ml)
    {
        var messages = new List<(ChannelMessageKind, string)>();
        ml.Log += (_, e) =>
        {
            lock (messages)
                messages.Add((e.Kind, e.RawMessage));
        };
        return messages;
    }

    [Fact]
    public void SkippedNaNRowsAreOneWarningWithTheCountAndAreKeptOnTheFirstEpochOfTheHistory()
    {
        var ml = new MLContext(seed: 0);
        List<(ChannelMessageKind Kind, string Message)> log = Listen(ml);

        MlpModelParameters model = new MlpEstimator(ml, Options()).Fit(WithNaNRows(ml)).Model;

        string warning = Assert.Single(log, m => m.Message.StartsWith("Skipped ", StringComparison.Ordinal)).Message;
        Assert.Equal(ChannelMessageKind.Warning, log.Single(m => m.Message == warning).Kind);
        Assert.StartsWith($"Skipped {NaNRows} of {CleanRows + NaNRows} training rows: {NaNRows} with a NaN or infinite value in 'Features'", warning);
        Assert.Contains("ml.Transforms.ReplaceMissingValues(\"Features\")", warning);
        Assert.Equal(warning, model.TrainingHistory[0].Warning);
        Assert.All(model.TrainingHistory.Skip(1), r => Assert.Null(r.Warning));
    }

    [Fact]
    public void StreamedDataWarnsOnceAndAWarmStartPutsTheWarningOnItsOwnFirstEpoch()
    {
        var ml = new MLContext(seed: 0);
        List<(ChannelMessageKind Kind, string Message)> log = Listen(ml);
        MlpOptions options = Options();
        options.StreamingShuffleBufferRows = 64;
        var trainer = new MlpEstimator(ml, options);
        IDataView data = WithNaNRows(ml);

        MlpModelParameters first = trainer.Fit(data).Model;
        MlpModelParameters continued = trainer.Fit(data, first).Model;

        Assert.Equal(2, log.Count(m => m.Kind == ChannelMessageKind.Warning && m.Message.StartsWith($"Skipped {NaNRows} of", StringComparison.Ordinal)));
        Assert.NotNull(first.TrainingHistory[0].Warning);
        Assert.Equal(first.TrainingHistory.Count + options.NumberOfEpochs, continued.TrainingHistory.Count);
        Assert.StartsWith($"Skipped {NaNRows} of", continued.TrainingHistory[first.TrainingHistory.Count].Warning);
        Assert.Equal(first.TrainingHistory[0].Warning, continued.TrainingHistory[0].Warning);   // the first run's history carries on as it was
        Assert.Equal(2, continued.TrainingHistory.Count(r => r.Warning is not null));
    }

    [Fact]
    public void CleanDataGivesNoWarning()
    {
        var ml = new MLContext(seed: 0);
        List<(ChannelMessageKind Kind, string Message)> log = Listen(ml);

        MlpModelParameters model = new MlpEstimator(ml, Options()).Fit(Datasets.ToDataView(ml, Datasets.Blobs(CleanRows, seed: 4))).Model;

        Assert.DoesNotContain(log, m => m.Kind == ChannelMessageKind.Warning);
        Assert.All(model.TrainingHistory, r => Assert.Null(r.Warning));
    }

    private sealed class Scored
    {
        public float[] Score { get; set; } = Array.Empty<float>();

        [KeyType(3)]
        public uint PredictedLabel { get; set; }
    }

    [Fact]
    public void ScoringARowWithANaNFeatureGivesNaNScoresAndKeyZero()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = WithNaNRows(ml);
        var model = new MlpEstimator(ml, Options()).Fit(data);

        Scored[] scored = ml.Data.CreateEnumerable<Scored>(model.Transform(data), reuseRowObject: false).Take(4).ToArray();

        Assert.All(scored.Where((_, i) => i % 2 == 1), s =>
        {
            Assert.All(s.Score, v => Assert.True(float.IsNaN(v)));
            Assert.Equal(0u, s.PredictedLabel);
        });
        Assert.All(scored.Where((_, i) => i % 2 == 0), s => Assert.InRange(s.PredictedLabel, 1u, 3u));
    }

    private sealed class BinaryRow
    {
        public bool Label { get; set; }

        public float Target { get; set; }

        [VectorType(2)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class BinaryScored
    {
        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }

    private sealed class RegressionScored
    {
        public float Score { get; set; }
    }

    [Fact]
    public void ScoringARowWithANaNFeatureGivesNaNForBinaryAndRegressionToo()
    {
        var ml = new MLContext(seed: 0);
        var random = new Random(1);
        var rows = Enumerable.Range(0, 200).Select(i =>
        {
            float x = (float)random.NextDouble(), y = (float)random.NextDouble();
            return new BinaryRow { Label = x > y, Target = x - y, Features = new[] { x, y } };
        }).ToList();
        IDataView train = ml.Data.LoadFromEnumerable(rows);
        IDataView nanRow = ml.Data.LoadFromEnumerable(new[] { new BinaryRow { Features = new[] { float.NaN, 0.5f } } });
        MlpOptions regression = Options();
        regression.LabelColumnName = "Target";

        BinaryScored binary = ml.Data.CreateEnumerable<BinaryScored>(ml.BinaryClassification.Trainers.Mlp(Options()).Fit(train).Transform(nanRow), false).Single();
        RegressionScored value = ml.Data.CreateEnumerable<RegressionScored>(ml.Regression.Trainers.Mlp(regression).Fit(train).Transform(nanRow), false).Single();

        Assert.True(float.IsNaN(binary.Score));
        Assert.True(float.IsNaN(binary.Probability));
        Assert.False(binary.PredictedLabel);
        Assert.True(float.IsNaN(value.Score));
    }
}
