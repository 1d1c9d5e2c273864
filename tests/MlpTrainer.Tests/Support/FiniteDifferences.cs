using System.Numerics;

namespace MlpTrainer.Tests.Support;

/// <summary>
/// Central differences, the check that backpropagation is right: ∂f/∂p_k ≈ (f(p + h·e_k) − f(p − h·e_k)) / 2h, one
/// parameter at a time; each parameter is put back exactly after its two evaluations.
/// </summary>
public static class FiniteDifferences
{
    /// <summary>The numerical gradient of <paramref name="loss"/> over double parameters (a double reference network: a small step).</summary>
    public static double[] Gradient(double[] parameters, Func<double[], double> loss, double h = 1e-6) => Central(parameters, loss, h);

    /// <summary>
    /// The numerical gradient of <paramref name="loss"/> over float parameters. A float forward pass needs a larger step:
    /// 1e-2 keeps the rounding error (~1e-7·loss/h) and the truncation error (~h²) near 1e-5.
    /// </summary>
    public static double[] Gradient(float[] parameters, Func<float[], double> loss, float h = 1e-2f) => Central(parameters, loss, h);

    private static double[] Central<T>(T[] parameters, Func<T[], double> loss, T h)
        where T : IFloatingPointIeee754<T>
    {
        var gradient = new double[parameters.Length];
        double step = double.CreateChecked(h);
        for (int k = 0; k < parameters.Length; k++)
        {
            T saved = parameters[k];
            parameters[k] = saved + h;
            double plus = loss(parameters);
            parameters[k] = saved - h;
            double minus = loss(parameters);
            parameters[k] = saved;
            gradient[k] = (plus - minus) / (2 * step);
        }
        return gradient;
    }
}
