using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Samples.Data;

namespace MlpTrainer.Benchmarks;

/// <summary>Rows per second scoring the 10,000 test images through ML.NET's Transform with a trained model.</summary>
internal static class ScoringBenchmark
{
    public static int Run(int threads)
    {
        if (!Workload.EnsureInstalled())
            return 2;
        var ml = new MLContext(seed: 0);
        FashionMnist trainImages = FashionMnist.Load(train: true, maxRows: 10_000);
        FashionMnist testImages = FashionMnist.Load(train: false);
        var trainer = new MlpEstimator(ml, new MlpOptions
        {
            HiddenLayerSizes = new[] { 256, 128 }, BatchSize = 128, NumberOfEpochs = 1, Seed = 0, NumberOfThreads = threads,
        });
        IDataView train = ml.Data.Cache(ml.Transforms.Conversion.MapValueToKey("Label").Fit(trainImages.ToDataView(ml)).Transform(trainImages.ToDataView(ml)));
        var model = trainer.Fit(train);
        IDataView test = ml.Data.Cache(ml.Transforms.Conversion.MapValueToKey("Label").Fit(trainImages.ToDataView(ml)).Transform(testImages.ToDataView(ml)));
        Consume(model.Transform(test)); // warm-up and fill the cache

        var seconds = new List<double>();
        for (int trial = 0; trial < 5; trial++)
        {
            long start = Stopwatch.GetTimestamp();
            Consume(model.Transform(test));
            seconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        double best = seconds.Min();
        Console.WriteLine($"Transform + cursor over Score: {testImages.Count / best:F0} rows/s (best of 5, {testImages.Count} rows, 784-256-128-10)");

        // The batched path: all test rows at once through the blocked matrix kernels.
        var features = new float[testImages.Count * FashionMnist.ImageSize];
        for (int i = 0; i < testImages.Count; i++)
            testImages.Image(i).CopyTo(features, i * FashionMnist.ImageSize);
        var outputs = new float[testImages.Count * 10];
        model.Model.PredictBatch(features, outputs, threads);
        double batchBest = double.MaxValue;
        for (int trial = 0; trial < 5; trial++)
        {
            long start = Stopwatch.GetTimestamp();
            model.Model.PredictBatch(features, outputs, threads);
            batchBest = Math.Min(batchBest, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        Console.WriteLine($"PredictBatch ({threads} threads):        {testImages.Count / batchBest:F0} rows/s (best of 5)");

        // A server scoring small batches now and then: the cost of one call, and the CPU the process uses once the calls stop.
        var small = new float[SmallBatch * 10];
        foreach (int t in threads == 1 ? new[] { 1 } : new[] { 1, threads })
        {
            double perCall = double.MaxValue;
            for (int trial = 0; trial < 5; trial++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int call = 0; call < SmallCalls; call++)
                    model.Model.PredictBatch(features.AsSpan(call % 64 * SmallBatch * FashionMnist.ImageSize, SmallBatch * FashionMnist.ImageSize), small, t);
                perCall = Math.Min(perCall, Stopwatch.GetElapsedTime(start).TotalSeconds / SmallCalls);
            }
            Console.WriteLine($"PredictBatch of {SmallBatch} rows ({t} threads): {perCall * 1e6:F0} µs per call (best of 5 bursts of {SmallCalls} calls)");
        }
        Console.WriteLine($"idle CPU     {IdleCpu(() => model.Model.PredictBatch(features, outputs, threads))}");
        if (threads > 1)
        {
            // The same windows after products on an engine kept by its owner (training's, between calls), then after Rest.
            using var engine = new MlpTrainer.Kernels.GemmEngine(threads);
            s_workerStats = null; // this engine's workers, found at the first reading
            var a = new float[128 * 784];
            var b = new float[784 * 256];
            var c = new float[128 * 256];
            Action product = () => engine.Multiply(MlpTrainer.Kernels.Transpose.No, MlpTrainer.Kernels.Transpose.Yes, 128, 256, 784, a, 0, 784, b, 0, 784, c, 0, 256, accumulate: false);
            Console.WriteLine($"idle CPU     engine between calls: {IdleCpu(product, workersOnly: true)}");
            Console.WriteLine($"idle CPU     engine after Rest:    {IdleCpu(() => { product(); engine.Rest(); }, workersOnly: true)}");
        }
        return 0;
    }

    private const int SmallBatch = 128, SmallCalls = 200;

    /// <summary>
    /// The process's CPU time (all its threads) over idle windows right after a burst of <paramref name="call"/>s: what idle
    /// worker threads burn while nothing is asked of them. Short windows read the kernel's exact per-process clock
    /// (<c>CLOCK_PROCESS_CPUTIME_ID</c>); the 1 s window also <see cref="Process.TotalProcessorTime"/>, which counts in
    /// 10 ms ticks on Linux.
    /// </summary>
    private static string IdleCpu(Action call, bool workersOnly = false)
    {
        using Process process = Process.GetCurrentProcess();
        var windows = new List<string>();
        foreach (int milliseconds in new[] { 1, 10, 100, 1000 })
        {
            double worst = 0, worstTicks = 0;
            for (int trial = 0; trial < 3; trial++)
            {
                for (int i = 0; i < 5; i++)
                    call();
                process.Refresh();
                TimeSpan ticksBefore = process.TotalProcessorTime;
                double before = workersOnly ? WorkerCpuSeconds() : ProcessCpuSeconds();
                long start = Stopwatch.GetTimestamp();
                while (Stopwatch.GetElapsedTime(start).TotalMilliseconds < milliseconds)
                    Thread.Sleep(Math.Max(0, milliseconds - (int)Stopwatch.GetElapsedTime(start).TotalMilliseconds));
                double cpu = (workersOnly ? WorkerCpuSeconds() : ProcessCpuSeconds()) - before;
                double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
                process.Refresh();
                worst = Math.Max(worst, cpu / wall);
                worstTicks = Math.Max(worstTicks, (process.TotalProcessorTime - ticksBefore).TotalSeconds / wall);
            }
            windows.Add($"{100 * worst:F1}% over {milliseconds} ms" + (milliseconds == 1000 ? $" (TotalProcessorTime: {100 * worstTicks:F1}%)" : ""));
        }
        return $"{(workersOnly ? "worker threads'" : "process")} CPU, % of one core, worst of 3 windows right after a burst of 5 calls: {string.Join(", ", windows)}";
    }

    /// <summary>
    /// CPU seconds of the GEMM worker threads alive now (Linux: /proc/self/task/*/schedstat, nanoseconds on the CPU; 0
    /// elsewhere). The files are found once and kept open, so a reading takes microseconds, not the idle window's start.
    /// </summary>
    private static double WorkerCpuSeconds()
    {
        if (!OperatingSystem.IsLinux())
            return 0;
        if (s_workerStats is null)
        {
            s_workerStats = new List<FileStream>();
            foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith("GemmEngine", StringComparison.Ordinal))
                    s_workerStats.Add(new FileStream(Path.Combine(task, "schedstat"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1));
            }
        }
        long nanoseconds = 0;
        Span<byte> text = stackalloc byte[128];
        foreach (FileStream stat in s_workerStats)
        {
            stat.Seek(0, SeekOrigin.Begin);
            int length = stat.Read(text);
            int end = text[..length].IndexOf((byte)' ');
            nanoseconds += long.Parse(System.Text.Encoding.ASCII.GetString(text[..end]));
        }
        return nanoseconds * 1e-9;
    }

    private static List<FileStream>? s_workerStats;

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>CPU seconds of every thread of the process so far (Linux's CLOCK_PROCESS_CPUTIME_ID; TotalProcessorTime elsewhere).</summary>
    private static double ProcessCpuSeconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(2, out TimeSpec t) == 0)
            return t.Seconds + t.Nanoseconds * 1e-9;
        using Process process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    private static void Consume(IDataView scored)
    {
        DataViewSchema.Column score = scored.Schema["Score"];
        using DataViewRowCursor cursor = scored.GetRowCursor(new[] { score });
        ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(score);
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
            getter(ref buffer);
    }
}
