namespace MlpTrainer.Tests.Gradients;

/// <summary>
/// A deliberately plain double-precision implementation of the documented network maths, written without
/// any of the library's code: for each layer z = x·Wᵀ + b (W row-major, outputs × inputs, then the biases, in
/// one flat vector), a = f(z) on hidden layers, then softmax and the mean cross-entropy over the rows.
/// </summary>
internal static class ReferenceNetwork
{
    public static double Activate(MlpActivation activation, double z, double leakySlope) => activation switch
    {
        MlpActivation.Identity => z,
        MlpActivation.Sigmoid => 1.0 / (1.0 + Math.Exp(-z)),
        MlpActivation.Tanh => Math.Tanh(z),
        MlpActivation.ReLU => Math.Max(z, 0.0),
        MlpActivation.LeakyReLU => z > 0 ? z : leakySlope * z,
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>−log softmax(logits)[label], computed stably.</summary>
    public static double CrossEntropy(ReadOnlySpan<double> logits, int label)
    {
        double max = double.NegativeInfinity;
        foreach (double z in logits)
            max = Math.Max(max, z);
        double sum = 0;
        foreach (double z in logits)
            sum += Math.Exp(z - max);
        return Math.Log(sum) + max - logits[label];
    }

    /// <summary>
    /// The mean cross-entropy of <paramref name="rows"/> rows of <paramref name="inputs"/> (row-major).
    /// <paramref name="hiddenPreActivations"/>, when given, receives every hidden pre-activation z.
    /// </summary>
    public static double MeanLoss(IReadOnlyList<int> sizes, double[] parameters, double[] inputs, int[] labels, int rows,
        MlpActivation activation, double leakySlope, List<double>? hiddenPreActivations = null)
    {
        int layers = sizes.Count - 1;
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            double[] current = inputs.AsSpan(r * sizes[0], sizes[0]).ToArray();
            int offset = 0;
            for (int l = 0; l < layers; l++)
            {
                int fanIn = sizes[l], fanOut = sizes[l + 1];
                int biasOffset = offset + fanIn * fanOut;
                var next = new double[fanOut];
                for (int o = 0; o < fanOut; o++)
                {
                    double z = parameters[biasOffset + o];
                    for (int i = 0; i < fanIn; i++)
                        z += parameters[offset + o * fanIn + i] * current[i];
                    if (l < layers - 1)
                    {
                        hiddenPreActivations?.Add(z);
                        next[o] = Activate(activation, z, leakySlope);
                    }
                    else
                    {
                        next[o] = z;
                    }
                }
                offset = biasOffset + fanOut;
                current = next;
            }
            total += CrossEntropy(current, labels[r]);
        }
        return total / rows;
    }
}
