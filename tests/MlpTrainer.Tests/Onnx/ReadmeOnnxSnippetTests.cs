using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlpTrainer.Tests.Persistence;

namespace MlpTrainer.Tests.Onnx;

/// <summary>
/// The README's ONNX Runtime snippet reads the names the export really writes: its input and every output it looks up,
/// with the element type it reads them as, exist in the export of the quickstart's pipeline, and running those calls
/// gives the quickstart's ring names. (tests/MlpTrainer.Package.Tests compiles the snippet against the package.)
/// </summary>
public class ReadmeOnnxSnippetTests
{
    private sealed class Point
    {
        public string Label { get; set; } = "";

        [VectorType(2)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void TheReadmeSnippetReadsTheInputAndOutputsTheQuickstartModelExports()
    {
        string readme = File.ReadAllText(Path.Combine(SourceTree.Root, "README.md"));
        string snippet = Regex.Matches(readme, "```csharp\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value)
            .Single(code => code.Contains("new InferenceSession(", StringComparison.Ordinal));
        Assert.Contains("MapKeyToValue(\"PredictedRing\", \"PredictedLabel\")", readme);   // the quickstart's pipeline, as below
        string input = Regex.Match(snippet, "CreateFromTensor\\(\"(\\w+)\"").Groups[1].Value;
        (string Name, string Type)[] outputs = Regex.Matches(snippet, "r\\.Name == \"(\\w+)\"\\)\\.AsEnumerable<(\\w+)>")
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToArray();
        Assert.Equal("Features", input);
        Assert.Equal(2, outputs.Length);

        var ml = new MLContext(seed: 0);
        var random = new Random(0);
        Point[] points = Enumerable.Range(0, 300).Select(i =>
        {
            int ring = i % 3;
            double angle = random.NextDouble() * 2 * Math.PI, radius = 1 + ring + 0.6 * random.NextDouble();
            return new Point { Label = $"ring {ring}", Features = new[] { (float)(radius * Math.Cos(angle)), (float)(radius * Math.Sin(angle)) } };
        }).ToArray();
        IDataView data = ml.Data.LoadFromEnumerable(points);
        ITransformer model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpOptions { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 5, Seed = 0 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedRing", "PredictedLabel"))
            .Fit(data);
        using var stream = new MemoryStream();
        ml.Model.ExportMlpToOnnx(model, data.Schema, stream);

        using var session = new InferenceSession(stream.ToArray());
        Assert.Equal(new[] { input }, session.InputMetadata.Keys);
        foreach ((string name, string type) in outputs)
        {
            Assert.True(session.OutputMetadata.ContainsKey(name), $"The README reads '{name}'; the export's outputs are {string.Join(", ", session.OutputMetadata.Keys)}.");
            Assert.Equal(type, ClrName(session.OutputMetadata[name].ElementType));
        }

        // The snippet's calls, on three rows.
        int rows = 3, featureCount = 2;
        float[] features = points.Take(rows).SelectMany(p => p.Features).ToArray();
        var tensor = new DenseTensor<float>(features, new[] { rows, featureCount });
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(input, tensor) });
        float[] scores = results.First(r => r.Name == outputs[0].Name).AsEnumerable<float>().ToArray();
        string[] rings = results.First(r => r.Name == outputs[1].Name).AsEnumerable<string>().ToArray();
        Assert.Equal(rows * 3, scores.Length);
        Assert.All(rings, r => Assert.Matches("^ring [012]$", r));
    }

    private static string ClrName(Type type) => type == typeof(float) ? "float" : type == typeof(string) ? "string" : type.Name;
}
