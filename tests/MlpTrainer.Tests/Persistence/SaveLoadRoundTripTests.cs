using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Tests.Persistence;

/// <summary>
/// Saving with <c>MLContext.Model.Save</c> and loading with <c>MLContext.Model.Load</c> in the same process: the loaded
/// model scores bit for bit like the trained one, and everything the trained model exposes survives the round trip.
/// </summary>
public sealed class SaveLoadRoundTripTests : IDisposable
{
    private readonly TrainedPipeline _trained = PersistenceData.Pipeline;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void PipelineLoadedFromFileScoresBitIdentically()
    {
        ITransformer loaded = SaveAndLoad(_trained.Model, _trained.TrainingData.Schema);

        PersistenceData.AssertBitIdentical(
            PersistenceData.Scores(_trained.Model, _trained.TrainingData),
            PersistenceData.Scores(loaded, _trained.TrainingData));
    }

    [Fact]
    public void PipelineLoadedFromFileScoresProbeRowsOutsideTheTrainingRangeBitIdentically()
    {
        ITransformer loaded = SaveAndLoad(_trained.Model, _trained.TrainingData.Schema);

        float[][] scores = PersistenceData.Scores(loaded, _trained.Probes);
        PersistenceData.AssertBitIdentical(PersistenceData.Scores(_trained.Model, _trained.Probes), scores);
        Assert.All(scores.SelectMany(s => s), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void MlpTransformerSavedAloneLoadsAndScoresBitIdentically()
    {
        ITransformer loaded = SaveAndLoad(_trained.Mlp, _trained.PreparedTrainingData.Schema);

        PersistenceData.AssertBitIdentical(
            PersistenceData.Scores(_trained.Mlp, _trained.PreparedTrainingData),
            PersistenceData.Scores(loaded, _trained.PreparedTrainingData));
    }

    [Fact]
    public void MlpTransformerSavedAloneLoadsAsAMulticlassPredictionTransformerOfMlpModelParameters()
    {
        ITransformer loaded = SaveAndLoad(_trained.Mlp, _trained.PreparedTrainingData.Schema);

        var mlp = Assert.IsType<MulticlassPredictionTransformer<MlpModelParameters>>(loaded);
        Assert.Equal(new[] { 4, 5, 3 }, mlp.Model.LayerSizes);
        Assert.Equal("Features", mlp.FeatureColumnName);
    }

    [Fact]
    public void ChainEndingInTheMlpExposesItsModelAsTheLastTransformerAfterLoading()
    {
        ITransformer[] stages = _trained.Model.ToArray();
        var chain = new TransformerChain<ITransformer>(stages[0], stages[1], stages[2]);

        var loaded = Assert.IsType<TransformerChain<ITransformer>>(SaveAndLoad(chain, _trained.TrainingData.Schema));

        MlpModelParameters model = ((MulticlassPredictionTransformer<MlpModelParameters>)loaded.LastTransformer).Model;
        Assert.Equal(new[] { 4, 5, 3 }, model.LayerSizes);
    }

    [Fact]
    public void LoadedPipelineWorksWithAPredictionEngine()
    {
        ITransformer loaded = SaveAndLoad(_trained.Model, _trained.TrainingData.Schema);
        var ml = new MLContext(seed: 0);
        using var before = ml.Model.CreatePredictionEngine<FlowerRow, ScoredRow>(_trained.Model);
        using var after = ml.Model.CreatePredictionEngine<FlowerRow, ScoredRow>(loaded);

        foreach (FlowerRow row in PersistenceData.ProbeRows())
        {
            ScoredRow expected = before.Predict(row), actual = after.Predict(row);
            PersistenceData.AssertBitIdentical(new[] { expected.Score }, new[] { actual.Score });
            Assert.Equal(expected.PredictedLabelValue, actual.PredictedLabelValue);
            Assert.Contains(actual.PredictedLabelValue, PersistenceData.Classes);
        }
    }

    [Fact]
    public void PredictionEngineOnTheLoadedPipelineAgreesWithItsBatchScores()
    {
        ITransformer loaded = SaveAndLoad(_trained.Model, _trained.TrainingData.Schema);
        using var engine = new MLContext().Model.CreatePredictionEngine<FlowerRow, ScoredRow>(loaded);

        float[][] single = PersistenceData.ProbeRows().Select(r => (float[])engine.Predict(r).Score.Clone()).ToArray();

        PersistenceData.AssertBitIdentical(PersistenceData.Scores(loaded, _trained.Probes), single);
    }

    [Fact]
    public void LoadedPipelineEvaluatesToIdenticalMetrics()
    {
        var ml = new MLContext(seed: 0);
        ITransformer loaded = SaveAndLoad(_trained.Model, _trained.TrainingData.Schema);

        MulticlassClassificationMetrics before = ml.MulticlassClassification.Evaluate(_trained.Model.Transform(_trained.TrainingData));
        MulticlassClassificationMetrics after = ml.MulticlassClassification.Evaluate(loaded.Transform(_trained.TrainingData));

        Assert.True(before.MicroAccuracy > 0.9, $"The test model should have learned the data; accuracy {before.MicroAccuracy}.");
        Assert.Equal(before.MicroAccuracy, after.MicroAccuracy);
        Assert.Equal(before.MacroAccuracy, after.MacroAccuracy);
        Assert.Equal(before.LogLoss, after.LogLoss);
        Assert.Equal(before.LogLossReduction, after.LogLossReduction);
        Assert.Equal(before.TopKAccuracy, after.TopKAccuracy);
        Assert.Equal(before.PerClassLogLoss, after.PerClassLogLoss);
        Assert.Equal(before.ConfusionMatrix.Counts, after.ConfusionMatrix.Counts);
    }

    [Fact]
    public void LoadedModelExposesTheTrainedShapeActivationAndEpochs()
    {
        MlpModelParameters before = _trained.Mlp.Model;
        MlpModelParameters after = LoadedMlp();

        Assert.Equal(new[] { 4, 5, 3 }, after.LayerSizes);
        Assert.Equal(before.LayerSizes, after.LayerSizes);
        Assert.Equal(2, after.LayerCount);
        Assert.Equal(3, after.NumberOfClasses);
        Assert.Equal(MlpActivation.LeakyReLU, after.HiddenActivation);
        Assert.Equal(BitConverter.SingleToInt32Bits(0.05f), BitConverter.SingleToInt32Bits(after.LeakyReLUSlope));
        Assert.Equal(15, after.EpochsTrained);
    }

    [Fact]
    public void LoadedModelHasBitIdenticalWeightsAndBiasesInEveryLayer()
    {
        MlpModelParameters before = _trained.Mlp.Model;
        MlpModelParameters after = LoadedMlp();

        for (int layer = 0; layer < before.LayerCount; layer++)
        {
            Assert.Equal(Bits(before.GetWeights(layer)), Bits(after.GetWeights(layer)));
            Assert.Equal(Bits(before.GetBiases(layer)), Bits(after.GetBiases(layer)));
        }
        Assert.Equal(5 * 4, after.GetWeights(0).Length);
        Assert.Equal(3 * 5, after.GetWeights(1).Length);
        Assert.Equal(3, after.GetBiases(1).Length);
    }

    [Fact]
    public void LoadedModelKeepsTheTrainingSettings()
    {
        Assert.Equal(_trained.Mlp.Model.Settings, LoadedMlp().Settings);
    }

    [Fact]
    public void LoadedModelPredictGivesTheScoreColumnValues()
    {
        MlpModelParameters model = LoadedMlp();
        float[][] features = PersistenceData.FeatureColumn(_trained.PreparedProbes);

        float[][] direct = features.Select(f => model.Predict(f)).ToArray();

        PersistenceData.AssertBitIdentical(PersistenceData.Scores(_trained.Mlp, _trained.PreparedProbes), direct);
    }

    [Fact]
    public void SavingAndLoadingThroughStreamsScoresBitIdentically()
    {
        var ml = new MLContext(seed: 0);
        using var stream = new MemoryStream();
        ml.Model.Save(_trained.Model, _trained.TrainingData.Schema, stream);
        stream.Position = 0;

        ITransformer loaded = new MLContext(seed: 99).Model.Load(stream, out _);

        PersistenceData.AssertBitIdentical(
            PersistenceData.Scores(_trained.Model, _trained.Probes),
            PersistenceData.Scores(loaded, _trained.Probes));
    }

    [Fact]
    public void LoadReturnsTheSavedInputSchema()
    {
        string path = Save(_trained.Model, _trained.TrainingData.Schema);

        new MLContext().Model.Load(path, out DataViewSchema schema);

        Assert.Equal(new[] { "Label", "Features" }, schema.Select(c => c.Name));
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 4), schema["Features"].Type);
    }

    [Fact]
    public void SavedModelHoldsOneMlpBlockInFormatVersion3WithAValidChecksum()
    {
        string path = Save(_trained.Model, _trained.TrainingData.Schema);

        MlpBlock block = ModelZip.FindMlpEntry(path).Block;

        Assert.Equal(3, block.ReadInt32(block.VersionOffset));
        Assert.Equal(block.StoredCrc, block.WithCrcRecomputed().StoredCrc);
        Assert.Equal(4 * 5 + 5 + 5 * 3 + 3, block.ParameterCount);
    }

    [Fact]
    public void ResavingALoadedModelWritesTheSameMlpBytes()
    {
        string first = Save(_trained.Model, _trained.TrainingData.Schema);
        ITransformer loaded = new MLContext().Model.Load(first, out DataViewSchema schema);
        string second = Save(loaded, schema, "resaved.zip");

        var (entry, bytes, _) = ModelZip.FindMlpEntry(first);
        var (entryAgain, bytesAgain, _) = ModelZip.FindMlpEntry(second);

        Assert.Equal(entry, entryAgain);
        Assert.Equal(bytes, bytesAgain);
    }

    private MlpModelParameters LoadedMlp()
    {
        var loaded = (TransformerChain<ITransformer>)SaveAndLoad(_trained.Model, _trained.TrainingData.Schema);
        return loaded.OfType<MulticlassPredictionTransformer<MlpModelParameters>>().Single().Model;
    }

    private string Save(ITransformer model, DataViewSchema schema, string name = "model.zip")
    {
        string path = _temp.File(name);
        new MLContext().Model.Save(model, schema, path);
        return path;
    }

    /// <summary>Saves, then loads with a new context, as another application would.</summary>
    private ITransformer SaveAndLoad(ITransformer model, DataViewSchema schema)
        => new MLContext(seed: 42).Model.Load(Save(model, schema), out _);

    private static int[] Bits(ReadOnlyMemory<float> values) => values.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
}
