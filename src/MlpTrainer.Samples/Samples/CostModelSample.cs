using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Samples.Samples;

/// <summary>
/// The <c>cost-model</c> command: measures this machine's step time for the standard network (784-256-128-10 ReLU,
/// Adam) with one thread at two minibatch sizes, splits it into a fixed cost per step and a cost per row, and prints the
/// <see cref="ScalingCostModel"/>'s epoch time and speed-up on 1 to 64 machines at 10, 25 and 100 Gb/s.
/// </summary>
public static class CostModelSample
{
    public static readonly int[] Machines = { 1, 2, 4, 8, 16, 32, 64 };
    public static readonly double[] GigabitsPerSecond = { 10, 25, 100 };

    private const int FeatureCount = 784;

    public static int Run(TextWriter output, double? fixedStepMilliseconds, double? rowMicroseconds, double latencyMicroseconds)
    {
        double fixedStep, row;
        if (fixedStepMilliseconds is double f && rowMicroseconds is double r)
        {
            (fixedStep, row) = (f / 1e3, r / 1e6);
            output.WriteLine(FormattableString.Invariant($"Given: {f:F3} ms fixed per step, {r:F2} µs per row."));
        }
        else
        {
            double small = StepSeconds(batch: 16), large = StepSeconds(batch: 128);
            row = Math.Max(0, (large - small) / (128 - 16));
            fixedStep = Math.Max(0, small - 16 * row);
            output.WriteLine(FormattableString.Invariant(
                $"Measured on this machine, one thread (fastest of 3 epochs): a step of 16 rows {small * 1e3:F3} ms, of 128 rows {large * 1e3:F3} ms, so {fixedStep * 1e3:F3} ms fixed per step and {row * 1e6:F2} µs per row."));
        }
        var model = new ScalingCostModel(fixedStep, row, Parameters: 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10, BatchSize: 128, Rows: 60_000,
            LatencySeconds: latencyMicroseconds / 1e6);
        output.WriteLine(FormattableString.Invariant(
            $"Ring all-reduce of {model.Parameters:N0} floats ({model.GradientBytes / 1e6:F2} MB) every step, {model.StepsPerEpoch} steps an epoch (60,000 rows, global batch 128), {latencyMicroseconds:G} µs a message."));
        output.WriteLine();
        output.WriteLine("| machines | " + string.Join(" | ", GigabitsPerSecond.Select(g => $"{g:G} Gb/s: epoch s (speed-up)")) + " |");
        output.WriteLine("|---:|" + string.Concat(GigabitsPerSecond.Select(_ => "---:|")));
        foreach (int m in Machines)
            output.WriteLine(FormattableString.Invariant($"| {m} | ") + string.Join(" | ", GigabitsPerSecond.Select(g =>
                FormattableString.Invariant($"{model.EpochSeconds(m, g):F2} ({model.SpeedUp(m, g):F1}×)"))) + " |");
        output.WriteLine();
        foreach (double g in GigabitsPerSecond)
            output.WriteLine(FormattableString.Invariant(
                $"At {g:G} Gb/s scaling stops paying after {Plural(model.StopsPaying(g, Machines))} (the next doubling gains under 10%); the all-reduce alone is {model.AllReduceSeconds(64, g) * 1e3:F2} ms a step on 64."));
        return 0;
    }

    private static string Plural(int machines) => machines == 1 ? "1 machine" : $"{machines} machines";

    /// <summary>The fastest of three epochs' time per step, training the standard network on random images with one thread.</summary>
    private static double StepSeconds(int batch)
    {
        const int rows = 6400;
        var ml = new MLContext(seed: 1);
        var random = new Random(1);
        var data = Enumerable.Range(0, rows).Select(i => new Image
        {
            Label = i % 10,
            Features = Enumerable.Range(0, FeatureCount).Select(_ => (float)random.NextDouble()).ToArray(),
        }).ToArray();
        var options = new MlpOptions
        {
            HiddenLayerSizes = new[] { 256, 128 },
            BatchSize = batch,
            NumberOfEpochs = 3,
            EarlyStoppingPatience = 0,
            NumberOfThreads = 1,
            Seed = 1,
            StandardizeFeatures = false,
        };
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.Mlp(options));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(data));
        double fastest = model.LastTransformer.Model.TrainingHistory.Min(e => e.Seconds);
        return fastest / Math.Ceiling((double)rows / batch);
    }

    private sealed class Image
    {
        public float Label { get; set; }

        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}
