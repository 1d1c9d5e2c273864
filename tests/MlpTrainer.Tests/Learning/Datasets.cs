using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Tests.Learning;

/// <summary>Small synthetic classification sets, generated from fixed seeds, and helpers to turn them into data views.</summary>
internal static class Datasets
{
    /// <summary>A row with its class index (0-based) as a plain number.</summary>
    public sealed class ClassRow
    {
        public uint Label { get; set; }

        public float[] Features { get; set; } = Array.Empty<float>();
    }

    public sealed record Set(float[][] Features, int[] Labels, int Classes)
    {
        public int Count => Labels.Length;
    }

    /// <summary>
    /// A data view with a known-size feature vector and a key-typed label in which class c is key c + 1, made the
    /// ordinary ML.NET way: <c>MapValueToKey</c> with the class indices 0 … Classes − 1 as its key set. A label
    /// outside that set becomes key 0, ML.NET's missing label.
    /// </summary>
    public static IDataView ToDataView(MLContext ml, Set set)
        => ToDataView(ml, set.Features.Select((f, i) => new ClassRow { Label = (uint)set.Labels[i], Features = f }), set.Features[0].Length, set.Classes);

    public static IDataView ToDataView(MLContext ml, IEnumerable<ClassRow> rows, int featureCount, int classes)
    {
        SchemaDefinition schema = SchemaDefinition.Create(typeof(ClassRow));
        schema[nameof(ClassRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
        IDataView raw = ml.Data.LoadFromEnumerable(rows.ToList(), schema);
        IDataView keys = ml.Data.LoadFromEnumerable(Enumerable.Range(0, classes).Select(c => new KeyValue { Value = (uint)c }).ToList());
        return ml.Transforms.Conversion.MapValueToKey(nameof(ClassRow.Label), keyData: keys).Fit(raw).Transform(raw);
    }

    private sealed class KeyValue
    {
        public uint Value { get; set; }
    }

    public static Set Xor() => new(
        new[] { new[] { 0f, 0f }, new[] { 0f, 1f }, new[] { 1f, 0f }, new[] { 1f, 1f } },
        new[] { 0, 1, 1, 0 },
        2);

    /// <summary>Points uniform in [0,1]³ and the value r = √((x₁² + x₂² + x₃²)/3) of each.</summary>
    public static (float[][] Features, double[] Radius) RadialPoints(int count, int seed)
    {
        var random = new Random(seed);
        var features = new float[count][];
        var radius = new double[count];
        for (int i = 0; i < count; i++)
        {
            features[i] = new[] { (float)random.NextDouble(), (float)random.NextDouble(), (float)random.NextDouble() };
            radius[i] = Math.Sqrt(features[i].Sum(x => (double)x * x) / 3);
        }
        return (features, radius);
    }

    /// <summary>The two cut points that split <paramref name="values"/> into three equal-sized classes.</summary>
    public static double[] Tertiles(double[] values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        return new[] { sorted[sorted.Length / 3], sorted[2 * sorted.Length / 3] };
    }

    public static Set Bucket(float[][] features, double[] values, double[] cuts)
        => new(features, values.Select(v => v < cuts[0] ? 0 : v < cuts[1] ? 1 : 2).ToArray(), 3);

    /// <summary>
    /// Three classes in [−1,1]⁴, each the arg-max of a fixed linear score, keeping only points whose best score
    /// beats the runner-up by a margin: linearly separable by construction.
    /// </summary>
    public static Set LinearlySeparable(int count, int seed, double margin = 0.15)
    {
        var random = new Random(seed);
        double[][] w = { new[] { 1.0, -0.5, 0.3, 0.0 }, new[] { -0.7, 0.9, 0.1, 0.4 }, new[] { 0.2, 0.1, -1.0, -0.6 } };
        var features = new List<float[]>();
        var labels = new List<int>();
        while (features.Count < count)
        {
            float[] x = Enumerable.Range(0, 4).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
            double[] scores = w.Select(wc => wc.Zip(x, (a, b) => a * b).Sum()).ToArray();
            int best = Array.IndexOf(scores, scores.Max());
            double runnerUp = scores.Where((_, c) => c != best).Max();
            if (scores[best] - runnerUp < margin)
                continue;
            features.Add(x);
            labels.Add(best);
        }
        return new Set(features.ToArray(), labels.ToArray(), 3);
    }

    /// <summary>Three Gaussian blobs in 2-D with a third, pure-noise feature; easy to learn.</summary>
    public static Set Blobs(int count, int seed)
    {
        var random = new Random(seed);
        double[][] centres = { new[] { 0.0, 0.0 }, new[] { 3.0, 0.5 }, new[] { 1.0, 3.0 } };
        var features = new float[count][];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int c = i % 3;
            features[i] = new[]
            {
                (float)(centres[c][0] + Gaussian(random) * 0.6),
                (float)(centres[c][1] + Gaussian(random) * 0.6),
                (float)random.NextDouble(),
            };
            labels[i] = c;
        }
        return new Set(features, labels, 3);
    }

    public static double Gaussian(Random random)
        => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
