using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Tests.Persistence;

namespace MlpTrainer.Tests.Sparse;

/// <summary>
/// Real text (a sample of the SpamAssassin corpus, Data/spamassassin-sample.csv) through ML.NET's text tutorial
/// pipeline: <c>FeaturizeText</c> (word and character n-grams, tens of thousands of sparse slots) → binary <c>Mlp</c>.
/// </summary>
public sealed class TextClassificationTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("mlp-text-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    internal static string SamplePath => Path.Combine(SourceTree.Root, "tests", "MlpTrainer.Tests", "Sparse", "Data", "spamassassin-sample.csv");

    internal static (MLContext Ml, DataOperationsCatalog.TrainTestData Split) Load()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = ml.Data.LoadFromTextFile(SamplePath, new[]
        {
            new TextLoader.Column("Label", DataKind.Boolean, 0),
            new TextLoader.Column("Text", DataKind.String, 1),
        }, separatorChar: ',', hasHeader: true, allowQuoting: true);
        return (ml, ml.Data.TrainTestSplit(data, testFraction: 0.25, seed: 0));
    }

    internal static EstimatorChain<BinaryPredictionTransformer<MlpBinaryModelParameters>> Pipeline(MLContext ml)
        => ml.Transforms.Text.FeaturizeText("Features", "Text")
            .Append(ml.BinaryClassification.Trainers.Mlp(new MlpOptions { HiddenLayerSizes = new[] { 32 }, NumberOfEpochs = 8, Seed = 1 }));

    [Fact]
    public void FeaturizedTextTrainsOnTheSparsePathAndSeparatesSpamFromHam()
    {
        (MLContext ml, DataOperationsCatalog.TrainTestData split) = Load();

        var model = Pipeline(ml).Fit(split.TrainSet);
        CalibratedBinaryClassificationMetrics metrics = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet));

        Assert.True(model.LastTransformer.Model.Network.Layout.InputMajorFirstLayer);
        Assert.True(model.LastTransformer.Model.LayerSizes[0] > 10_000, $"{model.LastTransformer.Model.LayerSizes[0]} slots");
        Assert.True(metrics.AreaUnderRocCurve > 0.97, $"test AUC {metrics.AreaUnderRocCurve:F4}");
        Assert.True(metrics.Accuracy > 0.9, $"test accuracy {metrics.Accuracy:F4}");
    }

    [Fact]
    public void TheTextPipelineReloadsInAFreshProcessWithIdenticalScores()
    {
        (MLContext ml, DataOperationsCatalog.TrainTestData split) = Load();
        var model = Pipeline(ml).Fit(split.TrainSet);
        string path = Path.Combine(_scratch, "text-model.zip");
        ml.Model.Save(model, split.TrainSet.Schema, path);
        string[] texts = ml.Data.CreateEnumerable<TextRow>(split.TestSet, reuseRowObject: false).Take(60).Select(r => r.Text).ToArray();
        float[][] here = ml.Data.CreateEnumerable<ScoredRow>(model.Transform(ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }))),
            reuseRowObject: false).Select(r => new[] { r.Score, r.Probability, r.PredictedLabel ? 1f : 0f }).ToArray();

        ModelLoaderProcess.Result run = ModelLoaderProcess.RunText(path, texts, _scratch);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("False", run.Line("MlpTrainerLoadedBeforeLoad"));
        Assert.Equal(here, run.BatchScores);
        Assert.Equal(here, run.EngineScores);
    }

    private sealed class TextRow
    {
        public bool Label { get; set; }
        public string Text { get; set; } = "";
    }

    private sealed class ScoredRow
    {
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }
}
