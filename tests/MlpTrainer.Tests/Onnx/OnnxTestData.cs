using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlpTrainer.Tests.Onnx;

/// <summary>Synthetic data for the ONNX export tests, and running an exported model in ONNX Runtime.</summary>
internal static class OnnxTestData
{
    public const int FeatureCount = 4;

    private static readonly string[] Species = { "setosa", "versicolor", "virginica" };

    public sealed class ClassRow
    {
        public string Label { get; set; } = "";

        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    public sealed class NumericClassRow
    {
        public float Label { get; set; }

        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    public sealed class BinaryRow
    {
        public bool Label { get; set; }

        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    public sealed class RegressionRow
    {
        public float Label { get; set; }

        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    /// <summary>
    /// Features on very different scales and offsets (so the normalizers matter): x₀ ~ 50 ± 20, x₁ ~ −3 ± 1,
    /// x₂ ~ 0.01 ± 0.004, x₃ ~ 1000 ± 300, and the latent standardised values z they come from.
    /// </summary>
    private static (float[] X, double[] Z) Point(Random random)
    {
        double[] z = Enumerable.Range(0, FeatureCount).Select(_ => Gaussian(random)).ToArray();
        float[] x = { (float)(50 + 20 * z[0]), (float)(-3 + z[1]), (float)(0.01 + 0.004 * z[2]), (float)(1000 + 300 * z[3]) };
        return (x, z);
    }

    private static int Class(double[] z)
    {
        double[] s = { z[0] + 0.5 * z[1], -z[0] + z[2], 0.3 * z[1] - z[3] };
        return Array.IndexOf(s, s.Max());
    }

    public static List<ClassRow> Multiclass(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            (float[] x, double[] z) = Point(random);
            return new ClassRow { Label = Species[Class(z)], Features = x };
        }).ToList();
    }

    /// <summary>The same classes with float labels 10, 20, 30, for a MapKeyToValue back to Single.</summary>
    public static List<NumericClassRow> NumericMulticlass(int count, int seed)
        => Multiclass(count, seed).Select(r => new NumericClassRow { Label = 10 * (Array.IndexOf(Species, r.Label) + 1), Features = r.Features }).ToList();

    public static List<BinaryRow> Binary(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            (float[] x, double[] z) = Point(random);
            return new BinaryRow { Label = z[0] - z[1] + 0.5 * z[3] + 0.3 * Gaussian(random) > 0, Features = x };
        }).ToList();
    }

    public static List<RegressionRow> Regression(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            (float[] x, double[] z) = Point(random);
            return new RegressionRow { Label = (float)(3 + Math.Sin(z[0]) + 0.5 * z[1] * z[2] - 0.7 * z[3]), Features = x };
        }).ToList();
    }

    /// <summary>Features already on a unit scale (for a model exported without a normalizer).</summary>
    public static List<ClassRow> Standardised(List<ClassRow> rows) => rows.Select(r => new ClassRow
    {
        Label = r.Label,
        Features = new[] { (r.Features[0] - 50) / 20, r.Features[1] + 3, (r.Features[2] - 0.01f) / 0.004f, (r.Features[3] - 1000) / 300 },
    }).ToList();

    public static double Gaussian(Random random)
        => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    public static MlpOptions SmallOptions(int epochs = 30, MlpActivation activation = MlpActivation.ReLU) => new()
    {
        HiddenLayerSizes = new[] { 12, 8 },
        Activation = activation,
        LeakyReLUSlope = 0.1f,
        LearningRate = 0.01f,
        BatchSize = 32,
        NumberOfEpochs = epochs,
        Seed = 3,
    };

    public static byte[] Export(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        ml.Model.ExportMlpToOnnx(model, schema, stream);
        return stream.ToArray();
    }

    /// <summary>The features of <paramref name="rows"/> as one row-major [rows, features] matrix.</summary>
    public static float[] Flatten(IEnumerable<float[]> rows) => rows.SelectMany(r => r).ToArray();

    /// <summary>
    /// Runs the model on rows [first, first + count) of a flat feature matrix (one batch of <paramref name="count"/>)
    /// and returns one output as a flat array, copied so it outlives the run's results.
    /// </summary>
    public static T[] RunOutput<T>(InferenceSession session, string input, float[] features, int first, int count, string output)
    {
        var tensor = new DenseTensor<float>(features.AsMemory(first * FeatureCount, count * FeatureCount), new[] { count, FeatureCount });
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results =
            session.Run(new[] { NamedOnnxValue.CreateFromTensor(input, tensor) }, new[] { output });
        return results.Single().AsTensor<T>().ToArray();
    }

    public static double MaxAbsDifference(IEnumerable<float> expected, IEnumerable<float> actual)
        => expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
}
