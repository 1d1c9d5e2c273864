namespace MlpTrainer.Model;

/// <summary>
/// Draws the starting weights from a seeded generator: He-uniform (bound √(6/fan_in)) for layers followed by
/// ReLU or LeakyReLU, Glorot-uniform (bound √(6/(fan_in+fan_out))) for every other layer, including the output
/// layer. Biases start at zero. The same seed gives the same weights on every machine and thread count.
/// <para>
/// An input-major (sparse) first layer can be millions of slots wide, while a row has only a handful of non-zeros:
/// its fan-in is then the mean number of non-zeros per row, the inputs that really feed a unit, so that the first
/// layer's outputs start at the scale they would have for a dense input of that width. Its weights come from a
/// counter-based generator (a hash of the seed and each weight's position), drawn in parallel, so a layer of hundreds
/// of millions of weights starts in a fraction of a second and still the same for every thread count.
/// </para>
/// </summary>
internal static class WeightInitializer
{
    /// <summary>Weights of the sparse first layer drawn per parallel task.</summary>
    private const int ChunkWeights = 1 << 20;

    /// <param name="layout">The network's shape.</param>
    /// <param name="hiddenActivation">The hidden layers' activation.</param>
    /// <param name="random">The seeded generator.</param>
    /// <param name="firstLayerFanIn">For an input-major first layer, its effective fan-in (mean non-zeros per row); null for the width.</param>
    /// <param name="threads">Threads for drawing an input-major first layer.</param>
    public static float[] Initialize(NetworkLayout layout, MlpActivation hiddenActivation, Random random, double? firstLayerFanIn = null, int threads = 1)
    {
        var parameters = new float[layout.ParameterCount];
        for (int layer = 0; layer < layout.LayerCount; layer++)
        {
            int fanIn = layout.InputsOf(layer), fanOut = layout.OutputsOf(layer);
            bool isHidden = layer < layout.LayerCount - 1;
            bool reluFamily = isHidden && hiddenActivation is MlpActivation.ReLU or MlpActivation.LeakyReLU;
            Span<float> weights = parameters.AsSpan(layout.WeightOffset(layer), layout.WeightCount(layer));
            if (layer == 0 && layout.InputMajorFirstLayer)
            {
                double effectiveFanIn = Math.Clamp(firstLayerFanIn ?? fanIn, 1, fanIn);
                double sparseBound = reluFamily ? Math.Sqrt(6.0 / effectiveFanIn) : Math.Sqrt(6.0 / (effectiveFanIn + fanOut));
                DrawCounterBased(parameters, layout.WeightOffset(0), layout.WeightCount(0), sparseBound, (ulong)random.NextInt64(), threads);
                continue;
            }
            double bound = reluFamily ? Math.Sqrt(6.0 / fanIn) : Math.Sqrt(6.0 / (fanIn + fanOut));
            for (int i = 0; i < weights.Length; i++)
                weights[i] = (float)((2 * random.NextDouble() - 1) * bound);
        }
        return parameters;
    }

    /// <summary>parameters[offset + i] = uniform(−bound, bound) from SplitMix64 of (key, i), for i below count.</summary>
    private static void DrawCounterBased(float[] parameters, int offset, int count, double bound, ulong key, int threads)
    {
        int chunks = (count + ChunkWeights - 1) / ChunkWeights;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, chunk =>
        {
            int start = chunk * ChunkWeights, end = Math.Min(count, start + ChunkWeights);
            Span<float> weights = parameters.AsSpan(offset + start, end - start);
            for (int i = 0; i < weights.Length; i++)
            {
                ulong z = Training.SplitMix64.Mix(key + (ulong)(start + i + 1) * 0x9E3779B97F4A7C15UL);
                double unit = (z >> 11) * (1.0 / (1UL << 53)); // [0, 1)
                weights[i] = (float)((2 * unit - 1) * bound);
            }
        });
    }
}
