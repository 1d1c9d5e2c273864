namespace MlpTrainer.Samples.Samples;

/// <summary>The mean and sample standard deviation of a metric over the folds, written "0.953 ± 0.031".</summary>
public sealed record Statistic(double Mean, double StandardDeviation)
{
    public static Statistic Of(IEnumerable<double> values)
    {
        double[] v = values.ToArray();
        double mean = v.Average();
        double variance = v.Length > 1 ? v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1) : 0;
        return new Statistic(mean, Math.Sqrt(variance));
    }

    public override string ToString() => $"{Mean:F3} ± {StandardDeviation:F3}";
}
