using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlpTrainer.Samples.Data;

namespace MlpTrainer.Tests.Onnx;

/// <summary>
/// ONNX export on real data: a Fashion-MNIST pipeline (MapValueToKey, NormalizeMinMax, MLP, MapKeyToValue) exports, and
/// ONNX Runtime reproduces ML.NET's probabilities on the whole test set. Needs Debian's dataset-fashion-mnist (.ci/run installs it).
/// </summary>
public sealed class FashionMnistOnnxTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public FashionMnistOnnxTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    [Fact]
    public void OnnxRuntimeReproducesTheProbabilitiesAndLabelsOfTheWholeTestSet()
    {
        Assert.True(FashionMnist.IsInstalled(),
            $"Fashion-MNIST is not in {FashionMnist.DefaultDirectory}: run 'apt-get install dataset-fashion-mnist' (.ci/run does).");
        var ml = new MLContext(seed: 0);
        FashionMnist train = FashionMnist.Load(train: true, maxRows: 5000);
        FashionMnist test = FashionMnist.Load(train: false);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpOptions { HiddenLayerSizes = new[] { 256, 128 }, BatchSize = 128, NumberOfEpochs = 2, Seed = 0 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", "PredictedLabel"));
        IDataView trainView = train.ToDataView(ml);
        var model = pipeline.Fit(trainView);
        IDataView scored = model.Transform(test.ToDataView(ml));
        float[] expectedScores = scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        float[] expectedLabels = scored.GetColumn<float>("PredictedLabelValue").ToArray();

        byte[] onnx = OnnxTestData.Export(ml, model, trainView.Schema);
        using var session = new InferenceSession(onnx);
        float[] features = OnnxTestData.Flatten(Enumerable.Range(0, test.Count).Select(test.Image));
        var input = new DenseTensor<float>(features, new[] { test.Count, FashionMnist.ImageSize });
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("Features", input) });
        float[] scores = results.Single(r => r.Name == "Score").AsTensor<float>().ToArray();
        float[] labels = results.Single(r => r.Name == "PredictedLabelValue").AsTensor<float>().ToArray();

        Assert.Equal(10_000 * 10, scores.Length);
        double difference = OnnxTestData.MaxAbsDifference(expectedScores, scores);
        _output.WriteLine($"largest probability difference over {test.Count} images: {difference:G3}");
        Assert.True(difference <= 1e-5, $"largest probability difference {difference}");
        Assert.Equal(expectedLabels, labels);
    }
}
