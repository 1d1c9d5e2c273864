using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlpTrainer.Model;

namespace MlpTrainer.Tests.SparseModels;

/// <summary>
/// Networks with an input-major first layer, as sparse training produces them, built from seeded random parameters
/// (the training side is not needed to test scoring, persistence and export); the same network stored unit-major,
/// transposed here independently of the library; rows with a few non-zeros; and ML.NET models and transformers
/// around a network, built through the model parameters' internal constructors and the estimators' public
/// <c>MakeTransformer</c>.
/// </summary>
internal static class InputMajorNetworks
{
    public static readonly TrainingSettings Settings = new(MlpOptimizer.Adam, 0.001f, 0.9f, true, 0.9f, 0.999f, 1e-8f, 1e-4f, 64, 3);

    /// <summary>A network of <paramref name="sizes"/> with Glorot-scaled random weights and small random biases.</summary>
    public static MlpNetwork Create(int[] sizes, MlpTask task = MlpTask.Multiclass, MlpActivation activation = MlpActivation.ReLU,
        int seed = 1, bool inputMajor = true, float outputScale = 1f, float outputOffset = 0f)
    {
        var layout = new NetworkLayout(sizes, inputMajor);
        var random = new Random(seed);
        var parameters = new float[layout.ParameterCount];
        for (int l = 0; l < layout.LayerCount; l++)
        {
            float limit = MathF.Sqrt(6f / (layout.InputsOf(l) + layout.OutputsOf(l)));
            Span<float> weights = parameters.AsSpan(layout.WeightOffset(l), layout.WeightCount(l));
            for (int i = 0; i < weights.Length; i++)
                weights[i] = (float)(random.NextDouble() * 2 - 1) * limit;
            Span<float> biases = parameters.AsSpan(layout.BiasOffset(l), layout.OutputsOf(l));
            for (int i = 0; i < biases.Length; i++)
                biases[i] = (float)(random.NextDouble() * 0.2 - 0.1);
        }
        return new MlpNetwork(layout, activation, 0.1f, parameters, task, outputScale, outputOffset);
    }

    /// <summary>The same network with its first layer stored unit-major: Wᵀ[i, o] moved to W[o, i], everything else copied.</summary>
    public static MlpNetwork UnitMajorTwin(MlpNetwork inputMajor)
    {
        NetworkLayout layout = inputMajor.Layout;
        Assert.True(layout.InputMajorFirstLayer);
        float[] parameters = inputMajor.Parameters.ToArray();
        int inputs = layout.InputsOf(0), units = layout.OutputsOf(0), offset = layout.WeightOffset(0);
        for (int i = 0; i < inputs; i++)
        {
            for (int o = 0; o < units; o++)
                parameters[offset + o * inputs + i] = inputMajor.Parameters[offset + i * units + o];
        }
        return new MlpNetwork(new NetworkLayout(layout.Sizes, inputMajorFirstLayer: false), inputMajor.HiddenActivation, inputMajor.LeakySlope,
            parameters, inputMajor.Task, inputMajor.OutputScale, inputMajor.OutputOffset);
    }

    /// <summary>A dense row of <paramref name="width"/> features, zero except <paramref name="nonZeros"/> random slots.</summary>
    public static float[] SparseRow(Random random, int width, int nonZeros)
    {
        var row = new float[width];
        for (int k = 0; k < nonZeros; k++)
            row[random.Next(width)] = (float)(random.NextDouble() * 4 - 2);
        return row;
    }

    /// <summary>The non-zeros of a dense row, in increasing index order, as a VBuffer holds them.</summary>
    public static (int[] Indices, float[] Values) NonZeros(float[] dense)
    {
        int[] indices = Enumerable.Range(0, dense.Length).Where(i => dense[i] != 0).ToArray();
        return (indices, indices.Select(i => dense[i]).ToArray());
    }

    /// <summary>The network's output for a dense row, with fresh scratch rows.</summary>
    public static float[] Predict(MlpNetwork network, float[] row)
    {
        var output = new float[network.Layout.OutputSize];
        network.Predict(row, output, network.CreateScratch());
        return output;
    }

    /// <summary>The network's output for a row given by its non-zeros, with fresh scratch rows.</summary>
    public static float[] PredictSparse(MlpNetwork network, float[] row)
    {
        (int[] indices, float[] values) = NonZeros(row);
        var output = new float[network.Layout.OutputSize];
        network.Predict(indices, values, output, network.CreateScratch());
        return output;
    }

    /// <summary>Asserts |expected − actual| ≤ tolerance·max(1, |expected|) element by element.</summary>
    public static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, float tolerance = 1e-5f, string what = "value")
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1f, Math.Abs(expected[i])),
                $"{what} {i}: expected {expected[i]:R}, got {actual[i]:R}.");
    }

    /// <summary>Asserts both hold the same float bit patterns.</summary>
    public static void AssertBitIdentical(IReadOnlyList<float> expected, IReadOnlyList<float> actual)
        => Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));

    /// <summary>The task's model parameters around <paramref name="network"/>, as the estimator would return them.</summary>
    public static object ModelParameters(MLContext ml, MlpNetwork network) => network.Task switch
    {
        MlpTask.Multiclass => new MlpModelParameters((IHostEnvironment)ml, network, Settings, Array.Empty<MlpEpochReport>()),
        MlpTask.Binary => new MlpBinaryModelParameters((IHostEnvironment)ml, network, Settings, Array.Empty<MlpEpochReport>()),
        _ => new MlpRegressionModelParameters((IHostEnvironment)ml, network, Settings, Array.Empty<MlpEpochReport>()),
    };

    /// <summary>
    /// The task's prediction transformer around <paramref name="network"/>, bound to <paramref name="trainSchema"/>'s
    /// "Features" and "Label" columns (a key for multiclass, Boolean for binary, Single for regression).
    /// </summary>
    public static ITransformer Transformer(MLContext ml, MlpNetwork network, DataViewSchema trainSchema)
    {
        var options = new MlpOptions { LabelColumnName = "Label", FeatureColumnName = "Features" };
        return network.Task switch
        {
            MlpTask.Multiclass => new MlpEstimator(ml, options).CreateTransformer((MlpModelParameters)ModelParameters(ml, network), trainSchema),
            MlpTask.Binary => new MlpBinaryEstimator(ml, options).CreateTransformer((MlpBinaryModelParameters)ModelParameters(ml, network), trainSchema),
            _ => new MlpRegressionEstimator(ml, options).CreateTransformer((MlpRegressionModelParameters)ModelParameters(ml, network), trainSchema),
        };
    }

    /// <summary>The network inside a transformer made by <see cref="Transformer"/> (or loaded from a saved one).</summary>
    public static MlpNetwork NetworkOf(ITransformer transformer) => transformer switch
    {
        MulticlassPredictionTransformer<MlpModelParameters> m => m.Model.Network,
        BinaryPredictionTransformer<MlpBinaryModelParameters> b => b.Model.Network,
        RegressionPredictionTransformer<MlpRegressionModelParameters> r => r.Model.Network,
        _ => throw new ArgumentException($"Not an MLP transformer: {transformer.GetType().Name}.", nameof(transformer)),
    };

    /// <summary>The Score column of every row, a vector (multiclass) or one value per row.</summary>
    public static float[][] Scores(IDataView scored)
    {
        DataViewSchema.Column column = scored.Schema["Score"];
        return column.Type is VectorDataViewType
            ? scored.GetColumn<float[]>(column).ToArray()
            : scored.GetColumn<float>(column).Select(v => new[] { v }).ToArray();
    }
}
