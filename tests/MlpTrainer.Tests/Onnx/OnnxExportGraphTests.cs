using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using static MlpTrainer.Tests.Onnx.OnnxTestData;

namespace MlpTrainer.Tests.Onnx;

/// <summary>
/// The exported file as ONNX Runtime sees it: it loads (ONNX Runtime checks the model, the opset and every node's
/// types and shapes when the session is created), and its inputs, outputs and metadata are the documented ones,
/// with a dynamic batch dimension.
/// </summary>
public class OnnxExportGraphTests
{
    private const string Features = "Features";

    [Fact]
    public void MulticlassPipelineHasTheDocumentedInputsAndOutputs()
    {
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Multiclass(200, 1));
        ITransformer model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(SmallOptions(epochs: 2)))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", "PredictedLabel"))
            .Fit(train);

        using var session = new InferenceSession(Export(ml, model, train.Schema));

        NodeMetadata input = Assert.Single(session.InputMetadata).Value;
        Assert.Equal(Features, session.InputMetadata.Keys.Single());
        Assert.Equal(typeof(float), input.ElementType);
        Assert.Equal(new[] { -1, FeatureCount }, input.Dimensions);
        Assert.Equal("N", input.SymbolicDimensions[0]);

        Assert.Equal(new[] { "Score", "PredictedLabel", "PredictedLabelValue" }, session.OutputMetadata.Keys);
        AssertOutput(session, "Score", typeof(float), 3);
        AssertOutput(session, "PredictedLabel", typeof(uint), 1);
        AssertOutput(session, "PredictedLabelValue", typeof(string), 1);

        Assert.Equal("MlpTrainer", session.ModelMetadata.ProducerName);
        Assert.Equal("Multiclass", session.ModelMetadata.CustomMetadataMap["mlp.task"]);
        Assert.Equal("4-12-8-3", session.ModelMetadata.CustomMetadataMap["mlp.layers"]);
        Assert.Equal(17, MlpOnnxExport.OpsetVersion);
    }

    [Fact]
    public void BinaryAndRegressionHaveTheDocumentedOutputs()
    {
        var ml = new MLContext(seed: 1);
        IDataView binaryData = ml.Data.LoadFromEnumerable(Binary(200, 1));
        var binary = ml.BinaryClassification.Trainers.Mlp(SmallOptions(epochs: 2)).Fit(binaryData);
        IDataView regressionData = ml.Data.LoadFromEnumerable(Regression(200, 1));
        var regression = ml.Regression.Trainers.Mlp(SmallOptions(epochs: 2)).Fit(regressionData);

        using var binarySession = new InferenceSession(Export(ml, binary, binaryData.Schema));
        using var regressionSession = new InferenceSession(Export(ml, regression, regressionData.Schema));

        Assert.Equal(new[] { "Score", "Probability", "PredictedLabel" }, binarySession.OutputMetadata.Keys);
        AssertOutput(binarySession, "Score", typeof(float), 1);
        AssertOutput(binarySession, "Probability", typeof(float), 1);
        AssertOutput(binarySession, "PredictedLabel", typeof(bool), 1);
        Assert.Equal(new[] { "Score" }, regressionSession.OutputMetadata.Keys);
        AssertOutput(regressionSession, "Score", typeof(float), 1);
        Assert.Equal(new[] { -1, FeatureCount }, regressionSession.InputMetadata[Features].Dimensions);

        float[] one = new float[FeatureCount], many = new float[7 * FeatureCount];
        Assert.Single(RunOutput<float>(regressionSession, Features, one, 0, 1, "Score"));
        Assert.Equal(7, RunOutput<float>(regressionSession, Features, many, 0, 7, "Score").Length);
        Assert.Equal(7, RunOutput<bool>(binarySession, Features, many, 0, 7, "PredictedLabel").Length);
    }

    [Fact]
    public void ThePathOverloadWritesALoadableFile()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Regression(100, 1));
        var model = ml.Regression.Trainers.Mlp(SmallOptions(epochs: 1)).Fit(data);
        string path = Path.Combine(Path.GetTempPath(), $"mlp-onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            ml.Model.ExportMlpToOnnx(model, data.Schema, path);

            Assert.Equal(Export(ml, model, data.Schema), File.ReadAllBytes(path));
            using var session = new InferenceSession(path);
            Assert.Equal(Features, session.InputMetadata.Keys.Single());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void AssertOutput(InferenceSession session, string name, Type type, int width)
    {
        NodeMetadata output = session.OutputMetadata[name];
        Assert.True(output.IsTensor);
        Assert.Equal(type, output.ElementType);
        Assert.Equal(new[] { -1, width }, output.Dimensions);
        Assert.Equal("N", output.SymbolicDimensions[0]);
    }
}
