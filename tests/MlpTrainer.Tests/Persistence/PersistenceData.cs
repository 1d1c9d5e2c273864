using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MlpTrainer.Tests.Persistence;

/// <summary>One row of the generated data: a string label and four raw (unnormalized) features.</summary>
public sealed class FlowerRow
{
    public string Label { get; set; } = "";

    [VectorType(PersistenceData.FeatureCount)]
    public float[] Features { get; set; } = Array.Empty<float>();
}

/// <summary>The Score column as the PredictionEngine returns it.</summary>
public sealed class ScoredRow
{
    public float[] Score { get; set; } = Array.Empty<float>();

    public string PredictedLabelValue { get; set; } = "";
}

/// <summary>
/// A trained pipeline MapValueToKey → NormalizeMinMax → MLP → MapKeyToValue, its parts, and the data it was
/// trained on: generated from fixed seeds, so every test (and the fixture regeneration) sees the same model.
/// </summary>
internal sealed class TrainedPipeline
{
    /// <summary>The context that trained the model. Tests that run in parallel use their own contexts.</summary>
    public required MLContext MLContext { get; init; }

    public required IDataView TrainingData { get; init; }

    public required TransformerChain<KeyToValueMappingTransformer> Model { get; init; }

    /// <summary>The MLP stage of <see cref="Model"/>.</summary>
    public required MulticlassPredictionTransformer<MlpModelParameters> Mlp { get; init; }

    /// <summary>The training data after MapValueToKey and NormalizeMinMax: the MLP's own input.</summary>
    public required IDataView PreparedTrainingData { get; init; }

    /// <summary>Transforms raw rows into the MLP's input (key label, normalized features).</summary>
    public required ITransformer Preparation { get; init; }

    public IDataView Probes => new MLContext(seed: 0).Data.LoadFromEnumerable(PersistenceData.ProbeRows());

    public IDataView PreparedProbes => Preparation.Transform(Probes);
}

internal static class PersistenceData
{
    public const int FeatureCount = 4;
    public static readonly string[] Classes = { "Alpha", "Beta", "Gamma" };

    private static readonly float[][] Centers =
    {
        new[] { 1.0f, 4.0f, -2.0f, 0.5f },
        new[] { 3.0f, 1.0f, 0.0f, 2.5f },
        new[] { -1.0f, 2.0f, 2.0f, -1.0f },
    };

    private static readonly Lazy<TrainedPipeline> LeakyReLUPipeline = new(() => Train(new MlpOptions
    {
        HiddenLayerSizes = new[] { 5 },
        Activation = MlpActivation.LeakyReLU,
        LeakyReLUSlope = 0.05f,
        Optimizer = MlpOptimizer.Adam,
        LearningRate = 0.02f,
        BatchSize = 16,
        NumberOfEpochs = 15,
        Seed = 7,
        NumberOfThreads = 1,
    }));

    /// <summary>A 4-5-3 LeakyReLU network (slope 0.05, not the default) in the full pipeline, trained once per test run.</summary>
    public static TrainedPipeline Pipeline => LeakyReLUPipeline.Value;

    /// <summary>The options of the committed fixture model; changing them means regenerating it.</summary>
    public static MlpOptions FixtureOptions => new()
    {
        HiddenLayerSizes = new[] { 5 },
        Activation = MlpActivation.ReLU,
        Optimizer = MlpOptimizer.Adam,
        LearningRate = 0.02f,
        BatchSize = 16,
        NumberOfEpochs = 12,
        Seed = 2024,
        NumberOfThreads = 1,
    };

    /// <summary>240 rows, 80 per class, around three well-separated centers, from a fixed seed.</summary>
    public static List<FlowerRow> TrainingRows(int seed = 11)
    {
        var random = new Random(seed);
        var rows = new List<FlowerRow>();
        for (int i = 0; i < 240; i++)
        {
            int c = i % Classes.Length;
            var features = new float[FeatureCount];
            for (int f = 0; f < FeatureCount; f++)
                features[f] = Centers[c][f] + 0.6f * Gaussian(random);
            rows.Add(new FlowerRow { Label = Classes[c], Features = features });
        }
        return rows;
    }

    /// <summary>Fixed rows to score: near each center, between centers, at zero, and far outside the training range.</summary>
    public static List<FlowerRow> ProbeRows() => ProbeFeatures.Select(f => new FlowerRow { Label = Classes[0], Features = (float[])f.Clone() }).ToList();

    public static readonly float[][] ProbeFeatures =
    {
        new[] { 1.0f, 4.0f, -2.0f, 0.5f },
        new[] { 3.1f, 0.9f, 0.2f, 2.4f },
        new[] { -0.8f, 2.1f, 1.9f, -1.2f },
        new[] { 1.5f, 2.5f, 0.0f, 0.75f },
        new[] { 0.0f, 0.0f, 0.0f, 0.0f },
        new[] { 25.0f, -30.0f, 12.5f, -7.25f },
    };

    public static TrainedPipeline Train(MlpOptions options, int dataSeed = 11)
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(TrainingRows(dataSeed));
        var estimator = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", "PredictedLabel"));
        TransformerChain<KeyToValueMappingTransformer> model = estimator.Fit(data);
        ITransformer[] stages = model.ToArray();
        var preparation = new TransformerChain<ITransformer>(stages[0], stages[1]);
        return new TrainedPipeline
        {
            MLContext = ml,
            TrainingData = data,
            Model = model,
            Mlp = (MulticlassPredictionTransformer<MlpModelParameters>)stages[2],
            Preparation = preparation,
            PreparedTrainingData = preparation.Transform(data),
        };
    }

    /// <summary>The Score vectors of every row, in order.</summary>
    public static float[][] Scores(ITransformer model, IDataView input) => ScoreColumn(model.Transform(input));

    public static float[][] ScoreColumn(IDataView scored)
    {
        var result = new List<float[]>();
        DataViewSchema.Column column = scored.Schema["Score"];
        using DataViewRowCursor cursor = scored.GetRowCursor(new[] { column });
        ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result.Add(value.DenseValues().ToArray());
        }
        return result.ToArray();
    }

    /// <summary>The Features column of every row (e.g. after normalization), in order.</summary>
    public static float[][] FeatureColumn(IDataView data) => data.GetColumn<float[]>("Features").ToArray();

    /// <summary>Asserts that both score tables hold the same float bit patterns (not merely close values).</summary>
    public static void AssertBitIdentical(float[][] expected, float[][] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int r = 0; r < expected.Length; r++)
        {
            Assert.Equal(expected[r].Length, actual[r].Length);
            for (int c = 0; c < expected[r].Length; c++)
            {
                int e = BitConverter.SingleToInt32Bits(expected[r][c]), a = BitConverter.SingleToInt32Bits(actual[r][c]);
                Assert.True(e == a,
                    $"Row {r}, class {c}: expected {expected[r][c]:R} (0x{e:X8}), got {actual[r][c]:R} (0x{a:X8}).");
            }
        }
    }

    private static float Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }
}

/// <summary>A temporary folder for one test, deleted when the test ends.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlp-persistence-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a failed test; the OS cleans the temp folder eventually.
        }
    }
}
