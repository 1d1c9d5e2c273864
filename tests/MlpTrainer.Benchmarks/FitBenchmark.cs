using System.Globalization;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Samples.Data;

namespace MlpTrainer.Benchmarks;

/// <summary>
/// The standard workload through the user's path: <c>MlpEstimator.Fit</c> on an <see cref="IDataView"/>, wall time of
/// the whole call, split into the time before the first epoch (reading the rows, initialisation), the first epoch, the
/// median epoch and the time after the last one. Only the public API is used.
/// <list type="bullet">
/// <item><c>fit</c>: Fashion-MNIST's 60,000 training images as raw pixels, <c>NormalizeMinMax</c>-ed and cached, as a
/// user would prepare them; the test accuracy after the epochs.</item>
/// <item><c>scaling</c>: the same images scaled to [0, 1] by an enumerable data view that is read afresh every pass (no
/// cache), repeated to 10k, 60k and 600k rows; 600k rows (1.9 GB of features) are above <c>InMemoryLimitBytes</c> (1
/// GiB here) and stream.</item>
/// </list>
/// </summary>
internal static class FitBenchmark
{
    private sealed class ImageRow
    {
        [VectorType(FashionMnist.ImageSize)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public uint Label { get; set; }
    }

    private static MlpOptions StandardOptions(int epochs, int threads, MlpActivation activation = MlpActivation.ReLU) => new()
    {
        HiddenLayerSizes = new[] { 256, 128 }, Activation = activation, Optimizer = MlpOptimizer.Adam,
        LearningRate = 1e-3f, BatchSize = 128, NumberOfEpochs = epochs, L2Regularization = 0f, Seed = 0, NumberOfThreads = threads,
    };

    public static int RunFit(int epochs, int threads, MlpActivation activation = MlpActivation.ReLU)
    {
        if (!Workload.EnsureInstalled())
            return 2;
        FashionMnist train = FashionMnist.Load(train: true), test = FashionMnist.Load(train: false);
        var ml = new MLContext(seed: 0);
        IDataView rawTrain = ml.Data.LoadFromEnumerable(Rows(train, train.Count, scale: false));
        IDataView rawTest = ml.Data.LoadFromEnumerable(Rows(test, test.Count, scale: false));
        ITransformer prepare = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.NormalizeMinMax("Features")).Fit(rawTrain);
        IDataView prepared = ml.Data.Cache(prepare.Transform(rawTrain));
        double cursorPass = Touch(prepared);
        Console.WriteLine($"data         Fashion-MNIST {train.Count} training images, MapValueToKey + NormalizeMinMax, cached (a cursor pass reading every row: {cursorPass:F3} s)");

        Timing timing = Fit(ml, prepared, StandardOptions(epochs, threads, activation), out ITransformer model);
        double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(prepare.Transform(rawTest))).MicroAccuracy;
        timing.Print($"784-256-128-10 {activation}, Adam 1e-3, batch 128, {epochs} epochs, {threads} threads");
        Console.WriteLine($"peak RSS     {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):F0} MiB");
        Console.WriteLine($"test accuracy {accuracy:F4} after {epochs} epochs");
        return 0;
    }

    public static int RunScaling(int epochs, int threads)
    {
        if (!Workload.EnsureInstalled())
            return 2;
        FashionMnist train = FashionMnist.Load(train: true);
        Console.WriteLine($"| rows | Fit wall (s) | before epoch 1 (s) | first epoch (s) | median epoch (s) | path | one cursor pass over the view (s) |");
        Console.WriteLine($"| --- | --- | --- | --- | --- | --- | --- |");
        foreach (int rows in new[] { 10_000, 60_000, 600_000 })
        {
            var ml = new MLContext(seed: 0);
            var messages = new List<string>();
            ml.Log += (_, e) => { if (e.Message.Contains("Streaming the training data", StringComparison.Ordinal)) messages.Add(e.Message); };
            IDataView data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(Rows(train, 100, scale: true)))
                .Transform(ml.Data.LoadFromEnumerable(Rows(train, rows, scale: true)));
            MlpOptions options = StandardOptions(epochs, threads);
            options.InMemoryLimitBytes = 1L << 30;
            Timing t = Fit(ml, data, options, out _);
            double pass = Touch(data); // what the view itself costs per pass: a streamed epoch pays it every time
            Console.WriteLine($"| {rows:N0} | {t.Wall:F2} | {t.BeforeFirstEpoch:F2} | {t.Epochs[0]:F2} | {t.Median:F2} | {(messages.Count > 0 ? "streamed" : "in memory")} | {pass:F2} |");
        }
        return 0;
    }

    /// <summary>
    /// Profiling the first step of <c>Fit</c>: reading the cached, normalized Fashion-MNIST view into memory (the density
    /// probe and the read pass) against a bare cursor pass that fetches every row, five times each; each read's rows are
    /// released afterwards, as <c>Fit</c> releases its training rows.
    /// </summary>
    public static int RunRead()
    {
        if (!Workload.EnsureInstalled())
            return 2;
        FashionMnist train = FashionMnist.Load(train: true);
        var ml = new MLContext(seed: 0);
        IDataView raw = ml.Data.LoadFromEnumerable(Rows(train, train.Count, scale: false));
        IDataView prepared = ml.Data.Cache(ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.NormalizeMinMax("Features")).Fit(raw).Transform(raw));
        Touch(prepared);
        var columns = MlpTrainer.Data.DataViewColumns.Resolve(prepared, MlpTrainer.Model.MlpTask.Multiclass, "Features", "Label", null);
        for (int run = 0; run < 5; run++)
        {
            double cursor = Touch(prepared);
            long start = Stopwatch.GetTimestamp();
            MlpTrainer.Data.FeatureDensity density = MlpTrainer.Data.FeatureDensity.Probe(columns);
            double probe = Stopwatch.GetElapsedTime(start).TotalSeconds;
            int collections = GC.CollectionCount(2);
            start = Stopwatch.GetTimestamp();
            var read = MlpTrainer.Data.DataViewReader.Read(columns, sparse: false, limitBytes: null);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            Console.WriteLine($"cursor pass {cursor:F3} s   probe {probe:F3} s   read {seconds:F3} s ({read.RowsRead} rows, {density.Share:P1} non-zero, {GC.CollectionCount(2) - collections} full collections)");
            (read.Dataset as MlpTrainer.Data.DenseDataset)?.Release(); // as Fit does once it has trained on the rows
        }
        return 0;
    }

    /// <summary>A 150-row table (Iris, read from the samples' CSV) with default options: what a fit costs beyond its epochs.</summary>
    public static int RunSmall()
    {
        string csv = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "MlpTrainer.Samples", "Data", "iris.csv");
        Console.WriteLine("| fit | Fit wall (ms) | before epoch 1 (ms) | epochs | median epoch (ms) | after the last epoch (ms) |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        for (int run = 1; run <= 3; run++)
        {
            var ml = new MLContext(seed: 0);
            IDataView data = ml.Data.LoadFromTextFile(csv, new[]
            {
                new TextLoader.Column("Features", DataKind.Single, 0, 3), new TextLoader.Column("Species", DataKind.String, 4),
            }, separatorChar: ',', hasHeader: true);
            IDataView prepared = ml.Data.Cache(ml.Transforms.Conversion.MapValueToKey("Label", "Species").Append(ml.Transforms.NormalizeMinMax("Features"))
                .Fit(data).Transform(data));
            Touch(prepared);
            Timing t = Fit(ml, prepared, new MlpOptions { Seed = 0 }, out _); // default options: the threads are chosen automatically
            Console.WriteLine($"| {(run == 1 ? "first in the process" : "again")} | {1000 * t.Wall:F1} | {1000 * t.BeforeFirstEpoch:F1} | {t.Epochs.Length} | {1000 * t.Median:F3} | {1000 * t.AfterLastEpoch:F1} |");
        }
        return 0;
    }

    private static Timing Fit(MLContext ml, IDataView data, MlpOptions options, out ITransformer model)
    {
        var epochEnds = new List<(long At, double Seconds)>();
        // The process's CPU time and the runtime's compiling at each boundary: the call, the start of training, each
        // epoch's end and the return. Less disturbed by a shared machine than wall time, they show where work was added
        // or removed.
        var work = new List<Work>();
        options.Progress = new SynchronousProgress(report =>
        {
            epochEnds.Add((Stopwatch.GetTimestamp(), report.Seconds));
            work.Add(Work.Now());
        });
        // The trainer logs when it starts reading the rows and when it starts training: the time between is the read
        // (and the weights' initialisation, a millisecond here).
        long readingStarts = 0, trainingStarts = 0;
        EventHandler<Microsoft.ML.LoggingEventArgs> watch = (_, e) =>
        {
            if (readingStarts == 0 && e.Message.Contains("Reading the training data", StringComparison.Ordinal))
                readingStarts = Stopwatch.GetTimestamp();
            else if (trainingStarts == 0 && e.Message.Contains("Training a ", StringComparison.Ordinal))
            {
                trainingStarts = Stopwatch.GetTimestamp();
                work.Add(Work.Now());
            }
        };
        long start = 0;
        // With MLP_BENCHMARK_LOG=1 each message of the fit is printed with the milliseconds since the call: where the
        // time before the first epoch goes (the estimator's checks, the density probe, the read, the initialisation).
        EventHandler<Microsoft.ML.LoggingEventArgs> timeline = (_, e) =>
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[+{Stopwatch.GetElapsedTime(start).TotalMilliseconds,7:F1} ms] {e.Message}"));
        bool printTimeline = Environment.GetEnvironmentVariable("MLP_BENCHMARK_LOG") == "1";
        ml.Log += watch;
        if (printTimeline)
            ml.Log += timeline;
        start = Stopwatch.GetTimestamp();
        work.Add(Work.Now());
        model = new MlpEstimator(ml, options).Fit(data);
        long end = Stopwatch.GetTimestamp();
        work.Add(Work.Now());
        ml.Log -= watch;
        ml.Log -= timeline;
        if (printTimeline)
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[+{Stopwatch.GetElapsedTime(start, epochEnds[0].At).TotalMilliseconds,7:F1} ms] the first epoch ends"));
        double before = Stopwatch.GetElapsedTime(start, epochEnds[0].At).TotalSeconds - epochEnds[0].Seconds;
        double? reading = readingStarts != 0 && trainingStarts > readingStarts ? Stopwatch.GetElapsedTime(readingStarts, trainingStarts).TotalSeconds : null;
        return new Timing(Stopwatch.GetElapsedTime(start, end).TotalSeconds, before, reading, epochEnds.Select(e => e.Seconds).ToArray(),
            Stopwatch.GetElapsedTime(epochEnds[^1].At, end).TotalSeconds)
        {
            // The call, the start of training (the trainer's log line), each epoch's end, the return.
            Work = work.Count == epochEnds.Count + 3 ? work.ToArray() : null,
        };
    }

    /// <summary>The process's CPU time and what the runtime had compiled (methods, time) at one moment.</summary>
    private readonly record struct Work(TimeSpan Cpu, long Methods, TimeSpan Compiling)
    {
        public static Work Now()
        {
            using var process = Process.GetCurrentProcess();
            return new Work(process.TotalProcessorTime, System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
        }

        public static string Between(Work from, Work to)
            => string.Create(CultureInfo.InvariantCulture, $"{(to.Cpu - from.Cpu).TotalSeconds:F3} s CPU, {to.Methods - from.Methods} methods compiled in {(to.Compiling - from.Compiling).TotalMilliseconds:F0} ms");
    }

    private sealed record Timing(double Wall, double BeforeFirstEpoch, double? Reading, double[] Epochs, double AfterLastEpoch)
    {
        /// <summary>The process's work at the call, the start of training, each epoch's end and the return; null when the trainer's log did not show the start.</summary>
        public Work[]? Work { get; init; }

        public double Median
        {
            get
            {
                double[] sorted = Epochs.Order().ToArray();
                return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
            }
        }

        public void Print(string workload)
        {
            Console.WriteLine($"workload     {workload}");
            Console.WriteLine($"Fit wall     {Wall:F3} s");
            Console.WriteLine($"before epoch {BeforeFirstEpoch:F3} s (reading the rows, initialisation)");
            if (Reading is double reading)
                Console.WriteLine($"reading      {reading:F3} s (the rows into memory, from the trainer's log)");
            Console.WriteLine($"first epoch  {Epochs[0]:F3} s ({Epochs[0] / Median:F2}x the median)");
            Console.WriteLine($"median epoch {Median:F3} s (steady; min {Epochs.Min():F3}, max {Epochs.Max():F3})");
            Console.WriteLine($"after epochs {AfterLastEpoch:F3} s");
            Console.WriteLine($"epochs       {string.Join(" ", Epochs.Select(e => e.ToString("F3")))}");
            if (Work is { } w)
            {
                Console.WriteLine($"work before  {FitBenchmark.Work.Between(w[0], w[1])} (the call to the start of training)");
                Console.WriteLine($"work epoch 1 {FitBenchmark.Work.Between(w[1], w[2])}");
                if (w.Length > 4)
                    Console.WriteLine($"work epoch 2 {FitBenchmark.Work.Between(w[2], w[3])}");
                Console.WriteLine($"work after   {FitBenchmark.Work.Between(w[^2], w[^1])}");
            }
        }
    }

    /// <summary>Reports on the training thread, at the moment each epoch ends (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<MlpEpochReport> report) : IProgress<MlpEpochReport>
    {
        public void Report(MlpEpochReport value) => report(value);
    }

    /// <summary>Rows of the images, repeated to <paramref name="count"/>, made as the enumeration reaches them.</summary>
    private static IEnumerable<ImageRow> Rows(FashionMnist images, int count, bool scale)
    {
        for (int i = 0; i < count; i++)
        {
            int image = i % images.Count;
            var features = new float[FashionMnist.ImageSize];
            ReadOnlySpan<byte> pixels = images.Pixels.AsSpan(image * FashionMnist.ImageSize, FashionMnist.ImageSize);
            for (int j = 0; j < features.Length; j++)
                features[j] = scale ? pixels[j] / 255f : pixels[j];
            yield return new ImageRow { Features = features, Label = images.Labels[image] };
        }
    }

    /// <summary>Seconds of one cursor pass that reads every row's features and label.</summary>
    private static double Touch(IDataView data)
    {
        long start = Stopwatch.GetTimestamp();
        using DataViewRowCursor cursor = data.GetRowCursor(data.Schema);
        ValueGetter<VBuffer<float>> features = cursor.GetGetter<VBuffer<float>>(data.Schema["Features"]);
        ValueGetter<uint> label = cursor.GetGetter<uint>(data.Schema["Label"]);
        VBuffer<float> buffer = default;
        uint key = 0;
        while (cursor.MoveNext())
        {
            features(ref buffer);
            label(ref key);
        }
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
