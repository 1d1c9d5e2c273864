namespace MlpTrainer.Model;

/// <summary>
/// Draws the starting weights from a seeded generator: He-uniform (bound √(6/fan_in)) for layers followed by
/// ReLU or LeakyReLU, Glorot-uniform (bound √(6/(fan_in+fan_out))) for every other layer, including the output
/// layer. Biases start at zero. The same seed gives the same weights on every machine and thread count.
/// </summary>
internal static class WeightInitializer
{
    public static float[] Initialize(NetworkLayout layout, MlpActivation hiddenActivation, Random random)
    {
        var parameters = new float[layout.ParameterCount];
        for (int layer = 0; layer < layout.LayerCount; layer++)
        {
            int fanIn = layout.InputsOf(layer), fanOut = layout.OutputsOf(layer);
            bool isHidden = layer < layout.LayerCount - 1;
            bool reluFamily = isHidden && hiddenActivation is MlpActivation.ReLU or MlpActivation.LeakyReLU;
            double bound = reluFamily ? Math.Sqrt(6.0 / fanIn) : Math.Sqrt(6.0 / (fanIn + fanOut));
            Span<float> weights = parameters.AsSpan(layout.WeightOffset(layer), layout.WeightCount(layer));
            for (int i = 0; i < weights.Length; i++)
                weights[i] = (float)((2 * random.NextDouble() - 1) * bound);
        }
        return parameters;
    }
}
