using Microsoft.ML;
using MlpTrainer.Model;
using MlpTrainer.Tests.Persistence;
using static MlpTrainer.Tests.SparseModels.InputMajorNetworks;
using static MlpTrainer.Tests.SparseModels.SparseFeatureData;

namespace MlpTrainer.Tests.SparseModels;

/// <summary>
/// An input-major model through <c>MLContext.Model.Save/Load</c>, for every task: it comes back input-major with every
/// parameter bit for bit and scores a sparse feature column as before, in this process and in a fresh one.
/// </summary>
public sealed class InputMajorModelZipTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> AllTasks => TaskNames;

    private static ITransformer SaveAndLoad(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, schema, stream);
        stream.Position = 0;
        return new MLContext().Model.Load(stream, out _);
    }

    [Theory]
    [MemberData(nameof(AllTasks))]
    public void ModelZipRoundTripKeepsTheInputMajorLayoutAndEveryParameter(string taskName)
    {
        MlpTask task = Enum.Parse<MlpTask>(taskName);
        var ml = new MLContext(seed: 1);
        IDataView data = SparseView(ml, FeatureRows(30, 42), task);
        MlpNetwork network = Network(task);

        MlpNetwork loaded = NetworkOf(SaveAndLoad(ml, Transformer(ml, network, data.Schema), data.Schema));

        Assert.True(loaded.Layout.InputMajorFirstLayer);
        Assert.Equal(network.Layout.Sizes, loaded.Layout.Sizes);
        AssertBitIdentical(network.Parameters.ToArray(), loaded.Parameters.ToArray());
        Assert.Equal((network.OutputScale, network.OutputOffset), (loaded.OutputScale, loaded.OutputOffset));
    }

    [Theory]
    [MemberData(nameof(AllTasks))]
    public void ModelLoadedFromZipScoresASparseFeatureColumnBitIdentically(string taskName)
    {
        MlpTask task = Enum.Parse<MlpTask>(taskName);
        var ml = new MLContext(seed: 1);
        IDataView data = SparseView(ml, FeatureRows(60, 43), task);
        ITransformer model = Transformer(ml, Network(task), data.Schema);

        ITransformer loaded = SaveAndLoad(ml, model, data.Schema);

        AssertBitIdentical(Scores(model.Transform(data)).SelectMany(s => s).ToArray(), Scores(loaded.Transform(data)).SelectMany(s => s).ToArray());
    }

    [Theory]
    [MemberData(nameof(AllTasks))]
    public void ModelLoadedInAFreshProcessScoresBitIdentically(string taskName)
    {
        MlpTask task = Enum.Parse<MlpTask>(taskName);
        var ml = new MLContext(seed: 1);
        float[][] features = FeatureRows(20, 48);
        IDataView data = DenseView(ml, features, task);
        ITransformer model = Transformer(ml, Network(task), data.Schema);
        string path = _temp.File($"input-major-{task}.zip");
        ml.Model.Save(model, data.Schema, path);

        ModelLoaderProcess.Result run = SeparateProcessLoadTests.Succeeded(ModelLoaderProcess.Run(path, features, _temp.Path));

        // The loader writes the Score first (binary: then Probability and PredictedLabel).
        float[][] expected = Scores(model.Transform(data));
        int width = expected[0].Length;
        AssertBitIdentical(expected.SelectMany(s => s).ToArray(), run.BatchScores.SelectMany(s => s.Take(width)).ToArray());
        AssertBitIdentical(expected.SelectMany(s => s).ToArray(), run.EngineScores.SelectMany(s => s.Take(width)).ToArray());
    }
}
