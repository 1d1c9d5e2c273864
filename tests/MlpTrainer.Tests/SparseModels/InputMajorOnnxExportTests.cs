using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using MlpTrainer.Model;
using MlpTrainer.Onnx;
using MlpTrainer.Onnx.Proto;
using Xunit.Abstractions;
using static MlpTrainer.Tests.Onnx.OnnxTestData;
using static MlpTrainer.Tests.SparseModels.InputMajorNetworks;

namespace MlpTrainer.Tests.SparseModels;

/// <summary>
/// A network with an input-major first layer exported to ONNX: the layer goes out as stored ([inputs, units], Gemm with
/// transB = 0), alone or with the pipeline's normalizer folded into it, and ONNX Runtime reproduces ML.NET's scores
/// and labels for every task on 1,000 rows; a network too big for one ONNX file is refused with its size.
/// </summary>
public sealed class InputMajorOnnxExportTests
{
    private const int ScoredRows = 1000;
    private const double Tolerance = 1e-5;

    private readonly ITestOutputHelper _output;

    public InputMajorOnnxExportTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> AllTasks => SparseFeatureData.TaskNames;

    private static MlpNetwork Network(MlpTask task)
        => Create(new[] { FeatureCount, 12, 8, task == MlpTask.Multiclass ? 3 : 1 }, task, MlpActivation.Tanh, seed: 51,
            outputScale: task == MlpTask.Regression ? 3f : 1f, outputOffset: task == MlpTask.Regression ? 2f : 0f);

    /// <summary>Raw rows of the task (features on very different scales), with the label a multiclass MLP is bound to.</summary>
    private static IDataView RawRows(MLContext ml, MlpTask task, int count, int seed)
    {
        IDataView data = task switch
        {
            MlpTask.Multiclass => ml.Data.LoadFromEnumerable(Multiclass(count, seed)),
            MlpTask.Binary => ml.Data.LoadFromEnumerable(Binary(count, seed)),
            _ => ml.Data.LoadFromEnumerable(Regression(count, seed)),
        };
        return task == MlpTask.Multiclass ? ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data) : data;
    }

    [Theory]
    [MemberData(nameof(AllTasks))]
    public void InputMajorModelAloneMatchesMlNet(string taskName)
    {
        MlpTask task = Enum.Parse<MlpTask>(taskName);
        var ml = new MLContext(seed: 1);
        ITransformer normalizer = ml.Transforms.NormalizeMeanVariance("Features").Fit(RawRows(ml, task, 400, 1));
        IDataView train = normalizer.Transform(RawRows(ml, task, 400, 1));
        ITransformer model = Transformer(ml, Network(task), train.Schema);
        IDataView rows = normalizer.Transform(RawRows(ml, task, ScoredRows, 2));

        using var session = new InferenceSession(Export(ml, model, train.Schema));

        Compare(session, task, rows.GetColumn<float[]>("Features"), model.Transform(rows));
    }

    [Theory]
    [MemberData(nameof(AllTasks))]
    public void InputMajorModelWithItsNormalizerFoldedInMatchesMlNet(string taskName)
    {
        MlpTask task = Enum.Parse<MlpTask>(taskName);
        var ml = new MLContext(seed: 1);
        IDataView raw = RawRows(ml, task, 400, 1);
        ITransformer normalizer = ml.Transforms.NormalizeMinMax("Features").Fit(raw);
        ITransformer model = new TransformerChain<ITransformer>(normalizer, Transformer(ml, Network(task), normalizer.Transform(raw).Schema));
        IDataView rows = RawRows(ml, task, ScoredRows, 2);

        using var session = new InferenceSession(Export(ml, model, raw.Schema));

        Compare(session, task, rows.GetColumn<float[]>("Features"), model.Transform(rows));
    }

    [Fact]
    public void InputMajorFirstLayerIsExportedAsStoredAndTheOthersUnitMajor()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = RawRows(ml, MlpTask.Regression, 50, 1);
        MlpNetwork network = Network(MlpTask.Regression);

        ModelProto onnx = ModelProto.Parser.ParseFrom(Export(ml, Transformer(ml, network, train.Schema), train.Schema));

        TensorProto first = onnx.Graph.Initializer.Single(t => t.Name == "mlp.layer0.weight");
        TensorProto second = onnx.Graph.Initializer.Single(t => t.Name == "mlp.layer1.weight");
        Assert.Equal(new long[] { FeatureCount, 12 }, first.Dims);
        Assert.Equal(network.StoredWeights(0).ToArray(), first.FloatData);
        Assert.Equal(new long[] { 8, 12 }, second.Dims);
        NodeProto[] gemms = onnx.Graph.Node.Where(n => n.OpType == "Gemm").ToArray();
        Assert.Equal(new long[] { 0, 1, 1 }, gemms.Select(g => g.Attribute.Single(a => a.Name == "transB").I));
        Assert.Equal("mlp.layer0.weight", gemms[0].Input[1]);
    }

    [Fact]
    public void InputMajorModelAndItsUnitMajorTwinExportToTheSameScores()
    {
        var ml = new MLContext(seed: 1);
        IDataView raw = RawRows(ml, MlpTask.Multiclass, 400, 1);
        ITransformer normalizer = ml.Transforms.NormalizeMeanVariance("Features").Fit(raw);
        DataViewSchema normalized = normalizer.Transform(raw).Schema;
        MlpNetwork network = Network(MlpTask.Multiclass);
        float[] features = Flatten(RawRows(ml, MlpTask.Multiclass, ScoredRows, 2).GetColumn<float[]>("Features"));

        using var inputMajor = new InferenceSession(Export(ml, new TransformerChain<ITransformer>(normalizer, Transformer(ml, network, normalized)), raw.Schema));
        using var unitMajor = new InferenceSession(Export(ml, new TransformerChain<ITransformer>(normalizer, Transformer(ml, UnitMajorTwin(network), normalized)), raw.Schema));

        double difference = MaxAbsDifference(RunOutput<float>(unitMajor, "Features", features, 0, ScoredRows, "Score"),
            RunOutput<float>(inputMajor, "Features", features, 0, ScoredRows, "Score"));
        _output.WriteLine($"max |unit-major − input-major| = {difference:E2}");
        Assert.InRange(difference, 0, 1e-6);
    }

    [Fact]
    public void NetworkTooBigForOneOnnxFileIsRefusedNamingItsSizeAndTheWayOut()
    {
        // 2^21 hashed features × 250 units: 2.1 GB of weights. Only the layout is built, no parameters.
        var layout = new NetworkLayout(new[] { 1 << 21, 250, 1 }, inputMajorFirstLayer: true);

        var error = Assert.Throws<NotSupportedException>(() => MlpOnnxGraph.EnsureExportable(layout));

        Assert.Contains((4L * layout.ParameterCount).ToString("N0", CultureInfo.InvariantCulture) + " bytes", error.Message);
        Assert.Contains("2097152-250-1", error.Message);
        Assert.Contains("fewer hash bits", error.Message);
        Assert.Contains("fewer hidden units", error.Message);
    }

    [Fact]
    public void NetworkOfAFewHundredMillionWeightsIsExportable()
    {
        var layout = new NetworkLayout(new[] { 1 << 21, 200, 1 }, inputMajorFirstLayer: true);
        Assert.InRange(4L * layout.ParameterCount, 1L << 30, int.MaxValue); // over 1 GiB, under the 2 GiB message limit

        Exception? refused = Record.Exception(() => MlpOnnxGraph.EnsureExportable(layout));

        Assert.Null(refused);
    }

    private void Compare(InferenceSession session, MlpTask task, IEnumerable<float[]> featureRows, IDataView scored)
    {
        float[] features = Flatten(featureRows);
        float[] expected = Scores(scored).SelectMany(s => s).ToArray();
        Assert.Equal(ScoredRows * (task == MlpTask.Multiclass ? 3 : 1), expected.Length);

        float[] batch = RunOutput<float>(session, "Features", features, 0, ScoredRows, "Score");
        double difference = MaxAbsDifference(expected, batch);
        _output.WriteLine($"{task} Score: max |ML.NET − ONNX| = {difference:E2} over {ScoredRows} rows");
        Assert.InRange(difference, 0, Tolerance);
        Assert.InRange(MaxAbsDifference(expected.AsSpan(0, expected.Length / ScoredRows).ToArray(),
            RunOutput<float>(session, "Features", features, 0, 1, "Score")), 0, Tolerance);

        if (task == MlpTask.Multiclass)
            Assert.Equal(scored.GetColumn<uint>("PredictedLabel").ToArray(), RunOutput<uint>(session, "Features", features, 0, ScoredRows, "PredictedLabel"));
        if (task == MlpTask.Binary)
        {
            Assert.Equal(scored.GetColumn<bool>("PredictedLabel").ToArray(), RunOutput<bool>(session, "Features", features, 0, ScoredRows, "PredictedLabel"));
            Assert.InRange(MaxAbsDifference(scored.GetColumn<float>("Probability"), RunOutput<float>(session, "Features", features, 0, ScoredRows, "Probability")), 0, Tolerance);
        }
    }
}
