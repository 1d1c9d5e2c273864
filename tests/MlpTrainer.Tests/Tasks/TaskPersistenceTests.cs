using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Model;
using MlpTrainer.Tests.Persistence;

namespace MlpTrainer.Tests.Tasks;

/// <summary>A binary model and a regression pipeline, trained once with validation data (so the history has every field).</summary>
internal static class TaskModels
{
    private static readonly Lazy<BinaryModel> LazyBinary = new(() =>
    {
        var ml = new MLContext(seed: 0);
        IDataView train = TaskData.Load(ml, TaskData.SeparableBinary(300, seed: 31));
        IDataView validation = TaskData.Load(ml, TaskData.SeparableBinary(100, seed: 32));
        MlpOptions options = TaskData.SmallOptions(epochs: 6, hidden: new[] { 6, 5 });
        var model = new MlpBinaryEstimator(ml, options).Fit(train, validation);
        return new BinaryModel(model, train, TaskData.SeparableBinary(40, seed: 33));
    });

    private static readonly Lazy<RegressionModel> LazyRegression = new(() =>
    {
        var ml = new MLContext(seed: 0);
        IDataView train = TaskData.Load(ml, TaskData.Radial(300, seed: 34, scale: 1000, offset: 5000));
        IDataView validation = TaskData.Load(ml, TaskData.Radial(100, seed: 35, scale: 1000, offset: 5000));
        MlpOptions options = TaskData.SmallOptions(epochs: 6, hidden: new[] { 7 });
        options.NormalizeLabel = true;
        options.RegressionLoss = MlpRegressionLoss.Huber;
        options.HuberDelta = 0.75f;
        var normalizer = ml.Transforms.NormalizeMinMax("Features").Fit(train);
        var mlp = new MlpRegressionEstimator(ml, options).Fit(normalizer.Transform(train), normalizer.Transform(validation));
        var pipeline = new TransformerChain<ITransformer>(normalizer, mlp);
        // Probes include points outside [0,1]³, where the normalizer extrapolates.
        RegressionRow[] probes = TaskData.Radial(40, seed: 36).Select((r, i) => new RegressionRow
        {
            Label = 0, Features = r.Features.Select(v => i % 4 == 0 ? v * 3 - 1 : v).ToArray(),
        }).ToArray();
        return new RegressionModel(pipeline, mlp, train, probes);
    });

    public static BinaryModel Binary => LazyBinary.Value;

    public static RegressionModel Regression => LazyRegression.Value;

    public sealed record BinaryModel(BinaryPredictionTransformer<MlpBinaryModelParameters> Model, IDataView TrainingData, BinaryRow[] Probes)
    {
        /// <summary>Per probe: Score, Probability, PredictedLabel (1 or 0), as the loader writes them.</summary>
        public float[][] Expected(ITransformer model)
        {
            IDataView scored = model.Transform(TaskData.Load(new MLContext(seed: 0), Probes));
            float[] s = TaskData.Floats(scored, "Score"), p = TaskData.Floats(scored, "Probability");
            bool[] l = TaskData.Booleans(scored, "PredictedLabel");
            return s.Select((_, i) => new[] { s[i], p[i], l[i] ? 1f : 0f }).ToArray();
        }
    }

    public sealed record RegressionModel(TransformerChain<ITransformer> Pipeline, RegressionPredictionTransformer<MlpRegressionModelParameters> Mlp,
        IDataView TrainingData, RegressionRow[] Probes)
    {
        public float[][] Expected(ITransformer model)
            => TaskData.Floats(model.Transform(TaskData.Load(new MLContext(seed: 0), Probes)), "Score").Select(s => new[] { s }).ToArray();
    }

    public static void AssertBitIdentical(float[][] expected, float[][] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int r = 0; r < expected.Length; r++)
            TaskData.AssertBitIdentical(expected[r], actual[r], $"row {r}, value");
    }
}

/// <summary>Saving and loading the binary and regression transformers in this process.</summary>
public sealed class TaskSaveLoadTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private ITransformer SaveAndLoad(ITransformer model, DataViewSchema schema)
    {
        string path = _temp.File($"model-{Guid.NewGuid():N}.zip");
        new MLContext(seed: 1).Model.Save(model, schema, path);
        return new MLContext(seed: 2).Model.Load(path, out _);
    }

    [Fact]
    public void BinaryModelLoadsAsABinaryPredictionTransformerOfMlpBinaryModelParameters()
    {
        var trained = TaskModels.Binary;

        ITransformer loaded = SaveAndLoad(trained.Model, trained.TrainingData.Schema);

        var binary = Assert.IsType<BinaryPredictionTransformer<MlpBinaryModelParameters>>(loaded);
        Assert.Equal(new[] { 4, 6, 5, 1 }, binary.Model.LayerSizes);
    }

    [Fact]
    public void BinaryModelRoundTripScoresBitIdentically()
    {
        var trained = TaskModels.Binary;

        ITransformer loaded = SaveAndLoad(trained.Model, trained.TrainingData.Schema);

        TaskModels.AssertBitIdentical(trained.Expected(trained.Model), trained.Expected(loaded));
    }

    [Fact]
    public void BinaryModelRoundTripKeepsTheTrainingHistory()
    {
        var trained = TaskModels.Binary;

        var loaded = (BinaryPredictionTransformer<MlpBinaryModelParameters>)SaveAndLoad(trained.Model, trained.TrainingData.Schema);

        Assert.Equal(6, loaded.Model.TrainingHistory.Count);
        Assert.Equal(trained.Model.Model.TrainingHistory, loaded.Model.TrainingHistory);
        Assert.All(loaded.Model.TrainingHistory, h => Assert.NotNull(h.ValidationAccuracy));
        Assert.Equal(6, loaded.Model.EpochsTrained);
    }

    [Fact]
    public void RegressionPipelineRoundTripScoresBitIdentically()
    {
        var trained = TaskModels.Regression;

        ITransformer loaded = SaveAndLoad(trained.Pipeline, trained.TrainingData.Schema);

        TaskModels.AssertBitIdentical(trained.Expected(trained.Pipeline), trained.Expected(loaded));
    }

    [Fact]
    public void RegressionModelRoundTripKeepsLabelScalingHistoryAndLoss()
    {
        var trained = TaskModels.Regression;
        IDataView prepared = trained.Pipeline.First().Transform(trained.TrainingData);

        var loaded = Assert.IsType<RegressionPredictionTransformer<MlpRegressionModelParameters>>(SaveAndLoad(trained.Mlp, prepared.Schema));

        MlpRegressionModelParameters before = trained.Mlp.Model, after = loaded.Model;
        Assert.Equal(before.LabelScaling, after.LabelScaling);
        Assert.InRange(after.LabelScaling.Mean, 5400f, 5800f);
        Assert.Equal(before.TrainingHistory, after.TrainingHistory);
        Assert.All(after.TrainingHistory, h => Assert.Null(h.ValidationAccuracy));
        Assert.Equal((MlpRegressionLoss.Huber, 0.75f), (after.Settings.RegressionLoss, after.Settings.HuberDelta));
    }

    [Fact]
    public void NetworkSerializerKeepsTheTaskAndTheOutputScaling()
    {
        var layout = new NetworkLayout(new[] { 2, 3, 1 });
        float[] parameters = Enumerable.Range(0, layout.ParameterCount).Select(i => 0.1f * i - 0.5f).ToArray();
        var network = new MlpNetwork(layout, MlpActivation.Tanh, 0.01f, parameters, MlpTask.Regression, outputScale: 250f, outputOffset: -3.5f);
        var settings = TrainingSettings.From(new MlpOptions { LearningRate = 0.001f, RegressionLoss = MlpRegressionLoss.Huber, HuberDelta = 2f }, epochsTrained: 4);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            NetworkSerializer.Write(writer, network, settings, Array.Empty<MlpEpochReport>());
        stream.Position = 0;

        NetworkSerializer.Contents read = NetworkSerializer.Read(new BinaryReader(stream), "in memory");

        Assert.Equal(MlpTask.Regression, read.Network.Task);
        Assert.Equal((250f, -3.5f), (read.Network.OutputScale, read.Network.OutputOffset));
        Assert.Equal((MlpRegressionLoss.Huber, 2f), (read.Settings.RegressionLoss, read.Settings.HuberDelta));
        Assert.Equal(parameters, read.Network.Parameters.ToArray());
    }

    [Fact]
    public void BinaryNetworkReadThroughTheRegressionLoaderFailsNamingBothTasks()
    {
        // A regression model's zip with the task code of its MLP block changed to Binary (2) and the CRC recomputed:
        // MlpRegressionModelParameters' loader now reads a binary network. (Without NormalizeLabel: a binary network
        // with a label scaling would be refused earlier, by the format check.)
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, TaskData.Radial(60, seed: 3));
        MlpOptions options = TaskData.SmallOptions(epochs: 1);
        options.NormalizeLabel = false;
        var regression = ml.Regression.Trainers.Mlp(options).Fit(data);

        Exception e = LoadWithTaskCode(regression, data.Schema, MlpTask.Regression, MlpTask.Binary);

        string message = AllMessages(e);
        Assert.Contains("Cannot load the MlpTrainer model", message);
        Assert.Contains("it is a Binary model, read as Regression", message);
    }

    [Fact]
    public void RegressionNetworkReadThroughTheBinaryLoaderFailsNamingBothTasks()
    {
        var trained = TaskModels.Binary;

        Exception e = LoadWithTaskCode(trained.Model, trained.TrainingData.Schema, MlpTask.Binary, MlpTask.Regression);

        Assert.Contains("it is a Regression model, read as Binary", AllMessages(e));
    }

    private Exception LoadWithTaskCode(ITransformer model, DataViewSchema schema, MlpTask saved, MlpTask written)
    {
        string path = _temp.File($"task-{Guid.NewGuid():N}.zip"), edited = _temp.File($"edited-{Guid.NewGuid():N}.zip");
        new MLContext(seed: 0).Model.Save(model, schema, path);
        var (entry, _, block) = ModelZip.FindMlpEntry(path);
        Assert.Equal((int)saved, block.ReadInt32(block.TaskOffset));
        ModelZip.CopyReplacing(path, edited, entry, block.WithInt32(block.TaskOffset, (int)written).WithCrcRecomputed().Bytes);
        return Assert.ThrowsAny<Exception>(() => new MLContext(seed: 0).Model.Load(edited, out _));
    }

    private static string AllMessages(Exception e)
    {
        var messages = new List<string>();
        for (Exception? inner = e; inner != null; inner = inner.InnerException)
            messages.Add($"{inner.GetType().Name}: {inner.Message}");
        return string.Join(" | ", messages);
    }
}

/// <summary>Runs tests/MlpTrainer.ModelLoader once per saved model: a fresh process that never saw MlpTrainer's types.</summary>
public sealed class TaskSeparateProcessRuns : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly Lazy<ModelLoaderProcess.Result> _binary, _regression;

    public TaskSeparateProcessRuns()
    {
        _binary = new(() =>
        {
            var trained = TaskModels.Binary;
            string path = _temp.File("binary.zip");
            new MLContext(seed: 0).Model.Save(trained.Model, trained.TrainingData.Schema, path);
            return ModelLoaderProcess.Run(path, TaskData.FeatureRows(trained.Probes), _temp.Path);
        });
        _regression = new(() =>
        {
            var trained = TaskModels.Regression;
            string path = _temp.File("regression-pipeline.zip");
            new MLContext(seed: 0).Model.Save(trained.Pipeline, trained.TrainingData.Schema, path);
            return ModelLoaderProcess.Run(path, TaskData.FeatureRows(trained.Probes), _temp.Path);
        });
    }

    internal ModelLoaderProcess.Result Binary => _binary.Value;

    internal ModelLoaderProcess.Result Regression => _regression.Value;

    public void Dispose() => _temp.Dispose();
}

public sealed class TaskSeparateProcessLoadTests : IClassFixture<TaskSeparateProcessRuns>
{
    private readonly TaskSeparateProcessRuns _runs;

    public TaskSeparateProcessLoadTests(TaskSeparateProcessRuns runs) => _runs = runs;

    [Fact]
    public void BinaryModelInAFreshProcessGivesBitIdenticalScoreProbabilityAndLabelWithTransform()
    {
        ModelLoaderProcess.Result run = SeparateProcessLoadTests.Succeeded(_runs.Binary);

        TaskModels.AssertBitIdentical(TaskModels.Binary.Expected(TaskModels.Binary.Model), run.BatchScores);
    }

    [Fact]
    public void BinaryModelInAFreshProcessGivesBitIdenticalScoreProbabilityAndLabelWithPredictionEngine()
    {
        ModelLoaderProcess.Result run = SeparateProcessLoadTests.Succeeded(_runs.Binary);

        TaskModels.AssertBitIdentical(TaskModels.Binary.Expected(TaskModels.Binary.Model), run.EngineScores);
    }

    [Fact]
    public void BinaryModelInAFreshProcessIsFoundAsMlpBinaryModelParametersWithItsHistory()
    {
        ModelLoaderProcess.Result run = SeparateProcessLoadTests.Succeeded(_runs.Binary);

        Assert.Equal("False", run.Line("MlpTrainerLoadedBeforeLoad"));
        Assert.Equal("BinaryPredictionTransformer<MlpBinaryModelParameters>", run.Line("Transformers"));
        Assert.Equal("MlpTrainer.MlpBinaryModelParameters, LayerSizes 4-6-5-1", run.Line("MlpModel"));
        Assert.Equal("Score, Probability, PredictedLabel", run.Line("ScoreColumns"));
        Assert.Equal("6", run.Line("TrainingHistoryEpochs"));
        Assert.Null(run.Line("LabelScaling"));
    }

    [Fact]
    public void RegressionPipelineInAFreshProcessScoresBitIdenticallyWithTransformAndPredictionEngine()
    {
        ModelLoaderProcess.Result run = SeparateProcessLoadTests.Succeeded(_runs.Regression);

        float[][] expected = TaskModels.Regression.Expected(TaskModels.Regression.Pipeline);
        TaskModels.AssertBitIdentical(expected, run.BatchScores);
        TaskModels.AssertBitIdentical(expected, run.EngineScores);
    }

    [Fact]
    public void RegressionPipelineInAFreshProcessKeepsItsLabelScaling()
    {
        ModelLoaderProcess.Result run = SeparateProcessLoadTests.Succeeded(_runs.Regression);
        (float mean, float deviation) = TaskModels.Regression.Mlp.Model.LabelScaling;

        Assert.Equal("NormalizingTransformer, RegressionPredictionTransformer<MlpRegressionModelParameters>", run.Line("Transformers"));
        Assert.Equal("Score", run.Line("ScoreColumns"));
        Assert.Equal(FormattableString.Invariant($"{mean:R} {deviation:R}"), run.Line("LabelScaling"));
    }
}
