using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlpTrainer.Samples.Tests.Support;

namespace MlpTrainer.Samples.Tests;

/// <summary>The main sample, as <c>dotnet run --project src/MlpTrainer.Samples</c> runs it with no arguments.</summary>
public sealed class IrisSampleTests
{
    [Fact]
    public void Trains_evaluates_saves_reloads_and_predicts()
    {
        using var folder = new TempFolder();
        string model = folder.File("iris-model.zip");

        SampleResult result = SampleRunner.Run("--model", model);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Errors);
        Assert.InRange(int.Parse(Regex.Match(result.Output, @"MLP 4-16-3: (\d+) epochs").Groups[1].Value), 10, 100); // up to 100, early stopping on the held-out rows
        Assert.True(OutputAssert.Metric(result, "Micro-accuracy") >= 0.9, result.ToString());
        Assert.True(OutputAssert.Metric(result, "Macro-accuracy") >= 0.9, result.ToString());
        OutputAssert.Metric(result, "Log-loss");
        Assert.Contains("Per class", result.Output);
        Assert.Contains("Precision", result.Output);
        Assert.Contains("Confusion matrix", result.Output);
        Assert.Matches(@"│ setosa\s+│\s+\d+ │\s+0 │\s+0 │", result.Output);   // no setosa is ever mistaken
        Assert.Contains("Loss per epoch", result.Output);
        Assert.Contains("× validation", result.Output);
        Assert.Contains($"Saved the model to {model}", result.Output);
        Assert.True(new FileInfo(model).Length > 0);
        Assert.Contains("Predictions of the reloaded model", result.Output);
        Assert.Matches(@"│ [0-9.]+ × [0-9.]+, [0-9.]+ × [0-9.]+\s+│ virginica\s+│ virginica\s+│ 0\.\d{3}", result.Output);
    }

    [Fact]
    public void Same_seed_prints_the_same_metrics()
    {
        using var folder = new TempFolder();
        SampleResult first = SampleRunner.Run("--model", folder.File("a.zip"), "--seed", "3");
        SampleResult second = SampleRunner.Run("--model", folder.File("b.zip"), "--seed", "3");

        Assert.Equal(OutputAssert.Metric(first, "Micro-accuracy"), OutputAssert.Metric(second, "Micro-accuracy"));
        Assert.Equal(OutputAssert.Metric(first, "Log-loss"), OutputAssert.Metric(second, "Log-loss"));
    }

    [Fact]
    public void Onnx_option_writes_a_model_that_onnx_runtime_scores_like_the_sample()
    {
        using var folder = new TempFolder();
        string onnx = folder.File("iris.onnx");

        SampleResult result = SampleRunner.Run("--model", folder.File("iris-model.zip"), "--onnx", onnx);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"Exported the model to ONNX: {onnx}", result.Output);
        using var session = new InferenceSession(onnx);
        // A setosa: one [1, 1] tensor per measurement, the columns the pipeline concatenates.
        (string Name, float Value)[] setosa = { ("SepalLength", 5.1f), ("SepalWidth", 3.5f), ("PetalLength", 1.4f), ("PetalWidth", 0.2f) };
        Assert.Equal(setosa.Select(m => m.Name), session.InputMetadata.Keys);
        using var outputs = session.Run(setosa.Select(m => NamedOnnxValue.CreateFromTensor(m.Name, new DenseTensor<float>(new[] { m.Value }, new[] { 1, 1 }))).ToArray());
        float[] probabilities = outputs.Single(o => o.Name == "Score").AsTensor<float>().ToArray();
        Assert.Equal(3, probabilities.Length);
        Assert.Equal(1f, probabilities.Sum(), 4);
        Assert.Equal("setosa", outputs.Single(o => o.Name == "PredictedSpecies").AsTensor<string>().Single());
    }
}
