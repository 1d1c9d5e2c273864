using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlpTrainer.Model;
using static MlpTrainer.Tests.SparseModels.InputMajorNetworks;
using static MlpTrainer.Tests.SparseModels.SparseFeatureData;

namespace MlpTrainer.Tests.SparseModels;

/// <summary>
/// The whole way, with a model that sparse training made (not one built by hand): <c>Fit</c> with
/// <see cref="MlpOptions.SparseFeatures"/> returns an input-major model, which saves and loads bit for bit and which
/// ONNX Runtime scores as ML.NET does.
/// </summary>
public sealed class TrainedSparseModelTests
{
    private static readonly Lazy<(MLContext Ml, IDataView Data, ITransformer Model)> Trained = new(() =>
    {
        var ml = new MLContext(seed: 1);
        IDataView data = SparseView(ml, FeatureRows(300, 61), MlpTask.Binary);
        var options = new MlpOptions
        {
            SparseFeatures = true, HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 2, BatchSize = 32, Seed = 5, NumberOfThreads = 1,
        };
        return (ml, data, ml.BinaryClassification.Trainers.Mlp(options).Fit(data));
    });

    [Fact]
    public void FitOnSparseFeaturesGivesAnInputMajorModel()
    {
        MlpNetwork network = NetworkOf(Trained.Value.Model);

        Assert.True(network.Layout.InputMajorFirstLayer);
        Assert.Equal(new[] { Width, 8, 1 }, network.Layout.Sizes);
    }

    [Fact]
    public void TrainedSparseModelLoadsFromItsZipAndScoresBitIdentically()
    {
        (MLContext ml, IDataView data, ITransformer model) = Trained.Value;
        using var zip = new MemoryStream();
        ml.Model.Save(model, data.Schema, zip);
        zip.Position = 0;

        ITransformer loaded = new MLContext().Model.Load(zip, out _);

        Assert.True(NetworkOf(loaded).Layout.InputMajorFirstLayer);
        AssertBitIdentical(Scores(model.Transform(data)).SelectMany(s => s).ToArray(), Scores(loaded.Transform(data)).SelectMany(s => s).ToArray());
    }

    [Fact]
    public void TrainedSparseModelExportedToOnnxScoresAsMlNetDoes()
    {
        (MLContext ml, IDataView data, ITransformer model) = Trained.Value;
        float[][] rows = FeatureRows(200, 62);
        IDataView scored = model.Transform(DenseView(ml, rows, MlpTask.Binary));
        using var onnx = new MemoryStream();
        ml.Model.ExportMlpToOnnx(model, data.Schema, onnx);

        using var session = new InferenceSession(onnx.ToArray());

        var input = new DenseTensor<float>(rows.SelectMany(r => r).ToArray(), new[] { rows.Length, Width });
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results =
            session.Run(new[] { NamedOnnxValue.CreateFromTensor("Features", input) }, new[] { "Score", "PredictedLabel" });
        AssertClose(scored.GetColumn<float>("Score").ToArray(), results.First(r => r.Name == "Score").AsTensor<float>().ToArray(), what: "score");
        Assert.Equal(scored.GetColumn<bool>("PredictedLabel").ToArray(), results.First(r => r.Name == "PredictedLabel").AsTensor<bool>().ToArray());
    }
}
