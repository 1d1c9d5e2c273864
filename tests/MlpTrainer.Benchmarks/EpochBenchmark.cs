using System.Diagnostics;
using MlpTrainer.Data;
using MlpTrainer.Model;
using MlpTrainer.Samples.Data;
using MlpTrainer.Training;

namespace MlpTrainer.Benchmarks;

/// <summary>Seconds per epoch of the standard workload, with throughput, memory and the accuracy reached.</summary>
internal static class EpochBenchmark
{
    public static int Run(int epochs, int threads)
    {
        if (!Workload.EnsureInstalled())
            return 2;
        DenseDataset train = Workload.Scaled(FashionMnist.Load(train: true));
        DenseDataset test = Workload.Scaled(FashionMnist.Load(train: false));

        var options = new MlpOptions
        {
            HiddenLayerSizes = new[] { 256, 128 }, Activation = MlpActivation.ReLU, Optimizer = MlpOptimizer.Adam,
            LearningRate = 1e-3f, BatchSize = 128, NumberOfEpochs = epochs, L2Regularization = 0f, EarlyStoppingPatience = 0, Seed = 0,
        };
        var layout = new NetworkLayout(Workload.Sizes);
        float[] parameters = WeightInitializer.Initialize(layout, options.Activation, SeedSequence.Create(0, SeedSequence.Stream.Initialization));
        var seconds = new List<double>(epochs);
        var losses = new List<double>(epochs);
        var allocatedAtEpochEnd = new List<long>(epochs);
        var data = new TrainingData(train, TrainingData.AllRows(train), null, null);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        options.NumberOfThreads = threads;
        options.Progress = new EpochObserver(e =>
            {
                allocatedAtEpochEnd.Add(GC.GetTotalAllocatedBytes(precise: true));
                seconds.Add(e.Seconds);
                losses.Add(e.TrainingLoss);
                Console.WriteLine($"  epoch {e.Epoch}: {e.Seconds:F3} s, loss {e.TrainingLoss:F4}");
            });
        using (PreparedTraining prepared = PreparedTraining.InMemory(layout, data, options, seed: 0, options.BatchSize))
        {
            var start = new InitialModel(new MlpNetwork(layout, options.Activation, 0f, parameters), Array.Empty<MlpEpochReport>(), 0);
            parameters = new TrainingRun(MlpTask.Multiclass, options, new TrainingHost()).Run(prepared, start).Network.Parameters.ToArray();
        }
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        double median = Median(seconds);
        double gflops = Workload.FlopsPerEpoch(layout, train.RowCount) / median / 1e9;
        double ceiling = GemmBenchmark.Ceiling(threads);
        double accuracy = Workload.Accuracy(new MlpNetwork(layout, options.Activation, 0f, parameters), test);
        Console.WriteLine($"workload     Fashion-MNIST {train.RowCount} rows, {layout} ReLU, Adam 1e-3, batch {options.BatchSize}, {threads} threads");
        Console.WriteLine($"s/epoch      {median:F3} (median of {seconds.Count}; min {seconds.Min():F3}, max {seconds.Max():F3})");
        Console.WriteLine($"samples/s    {train.RowCount / median:F0}");
        Console.WriteLine($"GFLOP/s      {gflops:F1} ({100 * gflops / ceiling:F0}% of the measured GEMM ceiling {ceiling:F1} GFLOP/s)");
        int minibatches = (train.RowCount + options.BatchSize - 1) / options.BatchSize;
        string steady = epochs > 1
            ? $"{(allocatedAtEpochEnd[^1] - allocatedAtEpochEnd[0]) / (double)((epochs - 1) * minibatches):F0} bytes per minibatch after the first epoch"
            : "run 2 or more epochs for the steady state";
        Console.WriteLine($"allocated    {allocated / 1024.0:F0} KiB during training; {steady}");
        Console.WriteLine($"peak RSS     {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):F0} MiB");
        Console.WriteLine($"test accuracy {accuracy:F4} after {epochs} epochs (final training loss {losses[^1]:F4})");
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
