using MlpTrainer.Model;

namespace MlpTrainer.Tests.Optimizers;

/// <summary>
/// The problem the optimizer reference tests share: a small network's parameter vector, a few random gradients of
/// mixed scales, which entries are weights (L2 applies) or biases, and the comparison with a double-precision reference.
/// </summary>
internal static class OptimizerProblem
{
    public static readonly NetworkLayout Layout = new(new[] { 17, 9, 3 });
    public const int Steps = 6;

    public static bool IsWeight(int k)
    {
        for (int l = 0; l < Layout.LayerCount; l++)
        {
            if (k >= Layout.WeightOffset(l) && k < Layout.BiasOffset(l))
                return true;
        }
        return false;
    }

    public static (float[] Parameters, float[][] Gradients) RandomProblem(int seed)
    {
        var random = new Random(seed);
        float[] parameters = Enumerable.Range(0, Layout.ParameterCount).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
        // Gradients of mixed scales, some tiny, so ε and the second moment both matter.
        float[][] gradients = Enumerable.Range(0, Steps).Select(_ => Enumerable.Range(0, Layout.ParameterCount)
            .Select(_ => (float)((2 * random.NextDouble() - 1) * Math.Pow(10, -3 * random.NextDouble()))).ToArray()).ToArray();
        return (parameters, gradients);
    }

    public static void AssertClose(double[] expected, float[] actual, string what)
    {
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(actual[k] - expected[k]) <= 2e-6 * Math.Max(1, Math.Abs(expected[k])),
                $"{what}, parameter {k} ({(IsWeight(k) ? "weight" : "bias")}): got {actual[k]:G9}, expected {expected[k]:G9}");
        }
    }
}
