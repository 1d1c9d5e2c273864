using System.Diagnostics;
using MlpTrainer.Data;
using MlpTrainer.Model;
using MlpTrainer.Optimizers;
using MlpTrainer.Samples.Data;
using MlpTrainer.Training;
using Phase = MlpTrainer.Training.StepTimings.Phase;

namespace MlpTrainer.Benchmarks;

/// <summary>
/// Accounts for a steady training step of the standard workload (Fashion-MNIST 60k, 784-256-128-10 ReLU, Adam 1e-3,
/// batch 128): the same minibatch source, backprop and optimizer as <c>Fit</c>, with <see cref="StepTimings"/> attached,
/// so each phase (gather, each layer's products, bias and activation, loss, derivative, optimizer) gets its microseconds
/// per step and its share, from the fastest of the timed epochs, with the time the caller waited for the worker threads;
/// epochs run alternately with and without the timings, so the cost of the clock reads shows.
/// With <c>--steps N</c> it runs exactly N steps untimed and prints nothing else (for instruction counts under callgrind).
/// </summary>
internal static class ProfileBenchmark
{
    public static int Run(int epochs, int threads, int? steps, int batch = 128)
    {
        if (!Workload.EnsureInstalled())
            return 2;
        DenseDataset train = Workload.Scaled(FashionMnist.Load(train: true));
        var options = new MlpOptions
        {
            HiddenLayerSizes = new[] { 256, 128 }, Activation = MlpActivation.ReLU, Optimizer = MlpOptimizer.Adam,
            LearningRate = 1e-3f, BatchSize = batch, L2Regularization = 0f, Seed = 0,
        };
        var layout = new NetworkLayout(Workload.Sizes);
        float[] parameters = WeightInitializer.Initialize(layout, options.Activation, SeedSequence.Create(0, SeedSequence.Stream.Initialization));
        var source = new InMemoryMinibatchSource(train, TrainingData.AllRows(train), shuffle: true, seed: 0, options.BatchSize);
        Optimizer optimizer = Optimizer.Create(options, layout);
        using var trainer = new BackpropTrainer(layout, options.Activation, options.LeakyReLUSlope, options.BatchSize, threads);
        var timings = new StepTimings(layout.LayerCount);
        StepTimings? best = null;
        double bestTimed = double.MaxValue;

        if (steps is int count)
        {
            int done = 0;
            for (int epoch = 0; done < count; epoch++)
            {
                source.BeginEpoch(epoch);
                while (done < count && source.Next(trainer.Batch, out int rows, out _))
                {
                    trainer.ComputeGradients(parameters, rows);
                    optimizer.Step(parameters, trainer.Gradients, options.RunLearningRate, trainer.Engine);
                    done++;
                }
            }
            Console.WriteLine($"{done} steps, {threads} threads, parameter sum {parameters.Sum():R}");
            return 0;
        }

        long parallelCalls = 0;
        double waitSeconds = 0;
        var plain = new List<double>();
        var timed = new List<double>();
        for (int epoch = 0; epoch < 2 * epochs + 1; epoch++)
        {
            bool measure = epoch % 2 == 1; // epoch 0 warms up; then untimed and timed epochs alternate
            if (measure)
                timings = new StepTimings(layout.LayerCount);
            (long ParallelCalls, double WaitSeconds) waitsAtStart = trainer.Engine.Waits;
            trainer.Timings = measure ? timings : null;
            source.BeginEpoch(epoch);
            long start = Stopwatch.GetTimestamp();
            int epochSteps = 0;
            while (true)
            {
                timings.Start();
                if (!source.Next(trainer.Batch, out int rows, out _))
                    break;
                if (measure)
                    timings.Lap(Phase.Gather);
                trainer.ComputeGradients(parameters, rows);
                if (measure)
                    timings.Start();
                optimizer.Step(parameters, trainer.Gradients, options.RunLearningRate, trainer.Engine);
                if (measure)
                {
                    timings.Lap(Phase.Optimizer);
                    timings.EndStep();
                }
                epochSteps++;
            }
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (epoch > 0)
                (measure ? timed : plain).Add(seconds / epochSteps * 1e6);
            if (measure && seconds < bestTimed)
            {
                bestTimed = seconds;
                best = timings;
                parallelCalls = trainer.Engine.Waits.ParallelCalls - waitsAtStart.ParallelCalls;
                waitSeconds = trainer.Engine.Waits.WaitSeconds - waitsAtStart.WaitSeconds;
            }
        }

        double steadyMicros = plain.Min();
        timings = best!; // the phases of the fastest timed epoch: the machine is shared, and a slow epoch is other work's
        double perStep(Phase phase, int layer) => timings.Seconds(phase, layer) / timings.Steps * 1e6;
        Console.WriteLine($"workload     Fashion-MNIST {train.RowCount} rows, {layout} ReLU, Adam 1e-3, batch {options.BatchSize}, {threads} threads");
        Console.WriteLine($"step         {steadyMicros:F0} µs best untimed epoch (untimed epochs {string.Join(" ", plain.Select(p => p.ToString("F0")))}; " +
                          $"timed {string.Join(" ", timed.Select(p => p.ToString("F0")))} µs/step)");
        double timedTotal = 0;
        Console.WriteLine($"| phase | layer | µs/step | share of the timed step | GFLOP/s |");
        Console.WriteLine($"| --- | --- | --- | --- | --- |");
        var rowsOut = new List<(string Phase, string Layer, double Micros, double? Gflops)>();
        foreach (Phase phase in Enum.GetValues<Phase>())
        {
            bool perLayer = phase is not (Phase.Gather or Phase.Optimizer or Phase.Loss);
            for (int layer = 0; layer < (perLayer ? layout.LayerCount : 1); layer++)
            {
                int l = phase == Phase.Loss ? layout.LayerCount - 1 : layer;
                double micros = perStep(phase, l);
                if (micros == 0 && perLayer)
                    continue;
                double? gflops = phase is Phase.ForwardProduct or Phase.WeightGradientProduct or Phase.InputGradientProduct
                    ? 2.0 * options.BatchSize * layout.InputsOf(l) * layout.OutputsOf(l) / (micros * 1e3) : null;
                rowsOut.Add((phase.ToString(), perLayer ? $"{l + 1} ({layout.InputsOf(l)}→{layout.OutputsOf(l)})" : "", micros, gflops));
                timedTotal += micros;
            }
        }
        foreach (var r in rowsOut)
            Console.WriteLine($"| {r.Phase} | {r.Layer} | {r.Micros:F1} | {100 * r.Micros / timedTotal:F1}% | {(r.Gflops is double g ? g.ToString("F0") : "")} |");
        double products = rowsOut.Where(r => r.Gflops is not null).Sum(r => r.Micros);
        Console.WriteLine($"waits        {parallelCalls / (double)timings.Steps:F1} parallel calls per step (products, gather, optimizer); the caller waited for the workers " +
                          $"{waitSeconds / timings.Steps * 1e6:F1} µs/step after its own part (hand-offs and imbalance, inside the phases above)");
        Console.WriteLine($"products     {products:F0} µs/step ({100 * products / timedTotal:F0}% of the timed step {timedTotal:F0} µs); everything else {timedTotal - products:F0} µs");
        double flops = Workload.FlopsPerEpoch(layout, options.BatchSize);
        Console.WriteLine($"GFLOP/s      {flops / (steadyMicros * 1e3):F1} over the best untimed step; {flops / (products * 1e3):F1} within the products alone");
        return 0;
    }
}
