using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Tests.Learning;

namespace MlpTrainer.Tests.Tasks;

/// <summary>A row for binary classification: a Boolean label, a feature vector and a row weight.</summary>
public sealed class BinaryRow
{
    public bool Label { get; set; }

    public float[] Features { get; set; } = Array.Empty<float>();

    public float Weight { get; set; } = 1f;
}

/// <summary>A row for regression: a Single label, a feature vector and a row weight.</summary>
public sealed class RegressionRow
{
    public float Label { get; set; }

    public float[] Features { get; set; } = Array.Empty<float>();

    public float Weight { get; set; } = 1f;
}

/// <summary>The binary transformer's output columns, as a PredictionEngine returns them.</summary>
public sealed class BinaryPrediction
{
    public float Score { get; set; }

    public float Probability { get; set; }

    public bool PredictedLabel { get; set; }
}

/// <summary>The regression transformer's output column, as a PredictionEngine returns it.</summary>
public sealed class RegressionPrediction
{
    public float Score { get; set; }
}

/// <summary>Small synthetic binary and regression sets, generated from fixed seeds, and helpers to load and score them.</summary>
internal static class TaskData
{
    /// <summary>
    /// Four features uniform in [−1, 1]; the label is s &gt; 0 for s = 1.5·x₁ − x₂ + x₃·x₄ + 0.15·noise: nearly separable
    /// by a curved boundary, with a little label noise near it.
    /// </summary>
    public static BinaryRow[] SeparableBinary(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new BinaryRow[count];
        for (int i = 0; i < count; i++)
        {
            float[] x = Enumerable.Range(0, 4).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
            double s = 1.5 * x[0] - x[1] + x[2] * x[3] + 0.15 * Datasets.Gaussian(random);
            rows[i] = new BinaryRow { Label = s > 0, Features = x };
        }
        return rows;
    }

    /// <summary>
    /// An imbalanced, overlapping set: two features uniform in [−1, 1], True when x₁ + x₂ + 0.6·noise &gt; 1.1 (about
    /// one row in nine), so a model that weighs every row alike misses many of the rare True rows.
    /// </summary>
    public static BinaryRow[] ImbalancedBinary(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new BinaryRow[count];
        for (int i = 0; i < count; i++)
        {
            float[] x = { (float)(2 * random.NextDouble() - 1), (float)(2 * random.NextDouble() - 1) };
            rows[i] = new BinaryRow { Label = x[0] + x[1] + 0.6 * Datasets.Gaussian(random) > 1.1, Features = x };
        }
        return rows;
    }

    /// <summary>Points uniform in [0,1]³ labelled y = √((x₁² + x₂² + x₃²)/3), times <paramref name="scale"/> plus <paramref name="offset"/>.</summary>
    public static RegressionRow[] Radial(int count, int seed, double scale = 1, double offset = 0)
    {
        (float[][] features, double[] radius) = Datasets.RadialPoints(count, seed);
        return features.Select((f, i) => new RegressionRow { Label = (float)(radius[i] * scale + offset), Features = f }).ToArray();
    }

    public static IDataView Load(MLContext ml, IEnumerable<BinaryRow> rows, bool withWeight = false)
        => LoadRows(ml, rows.ToList(), r => r.Features.Length, withWeight);

    public static IDataView Load(MLContext ml, IEnumerable<RegressionRow> rows, bool withWeight = false)
        => LoadRows(ml, rows.ToList(), r => r.Features.Length, withWeight);

    private static IDataView LoadRows<T>(MLContext ml, List<T> rows, Func<T, int> width, bool withWeight)
        where T : class
    {
        SchemaDefinition schema = SchemaDefinition.Create(typeof(T));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width(rows[0]));
        IDataView view = ml.Data.LoadFromEnumerable(rows, schema);
        return withWeight ? view : ml.Transforms.DropColumns("Weight").Fit(view).Transform(view);
    }

    /// <summary>Fast, deterministic options: one small hidden layer, Adam, one thread, a fixed seed.</summary>
    public static MlpOptions SmallOptions(int epochs = 20, int[]? hidden = null) => new()
    {
        HiddenLayerSizes = hidden ?? new[] { 8 },
        Activation = MlpActivation.Tanh,
        Optimizer = MlpOptimizer.Adam,
        LearningRate = 0.01f,
        BatchSize = 32,
        NumberOfEpochs = epochs,
        Seed = 3,
        NumberOfThreads = 1,
    };

    /// <summary>Options for which a row of weight w must act as w copies of the row: full-batch plain SGD, no L2.</summary>
    public static MlpOptions FullBatchSgd(int rows) => new()
    {
        HiddenLayerSizes = new[] { 5 },
        Activation = MlpActivation.Tanh,
        Optimizer = MlpOptimizer.Sgd,
        Momentum = 0f,
        UseNesterov = false,
        LearningRate = 0.1f,
        L2Regularization = 0f,
        BatchSize = rows,
        NumberOfEpochs = 25,
        Seed = 11,
        NumberOfThreads = 1,
    };

    /// <summary>Every weight and bias of the model, layer after layer.</summary>
    public static float[] Parameters<TOutput>(MlpModelParametersBase<TOutput> model)
    {
        var all = new List<float>();
        for (int l = 0; l < model.LayerCount; l++)
        {
            all.AddRange(model.GetWeights(l).ToArray());
            all.AddRange(model.GetBiases(l).ToArray());
        }
        return all.ToArray();
    }

    public static float[] Floats(IDataView data, string column) => data.GetColumn<float>(column).ToArray();

    public static bool[] Booleans(IDataView data, string column) => data.GetColumn<bool>(column).ToArray();

    public static float[][] FeatureRows(IEnumerable<BinaryRow> rows) => rows.Select(r => r.Features).ToArray();

    public static float[][] FeatureRows(IEnumerable<RegressionRow> rows) => rows.Select(r => r.Features).ToArray();

    /// <summary>The largest |a − b| / (1 + |b|) over two parameter vectors of equal length.</summary>
    public static double MaxRelativeDifference(float[] a, float[] b)
    {
        Assert.Equal(b.Length, a.Length);
        double worst = 0;
        for (int i = 0; i < a.Length; i++)
            worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]) / (1 + Math.Abs((double)b[i])));
        return worst;
    }

    /// <summary>Asserts two float arrays are equal bit for bit, naming the first difference.</summary>
    public static void AssertBitIdentical(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what} {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
