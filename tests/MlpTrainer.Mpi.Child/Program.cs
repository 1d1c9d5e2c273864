// MlpTrainer.Mpi.Child: one worker of an MPI job, for tests/MlpTrainer.Mpi.Tests, which starts it under mpiexec:
//   mpiexec -n N dotnet MlpTrainer.Mpi.Child.dll collectives
//       checks MpiWorkerGroup's sums and broadcast against known values; prints "rank R/N collectives ok"
//   mpiexec -n N dotnet MlpTrainer.Mpi.Child.dll train [epochs]
//       trains a small blob problem across the workers, then alone in this process; prints
//       "rank R/N weights sha256 HEX" and "rank R/N largest difference from one process X"
//   mpiexec -n N dotnet MlpTrainer.Mpi.Child.dll mismatch
//       worker 1 asks for another hidden layer; every worker prints its error ("rank R/N error: ...") and exits with 3
//   mpiexec -n N dotnet MlpTrainer.Mpi.Child.dll long
//       prints "rank R/N pid P", then trains for a long time (a worker is killed by the test)
//   mpiexec -n N dotnet MlpTrainer.Mpi.Child.dll checkpointed DIR [die-at EPOCH | resume]
//       trains 4 epochs with a checkpoint in DIR after each; with die-at, worker 1 kills itself (SIGKILL) when that epoch
//       ends, before its checkpoint; with resume, continues from DIR. Prints "rank R/N trained epochs E,E,..." (the
//       epochs this job ran) and "rank R/N weights sha256 HEX"
//   mpiexec -n N dotnet MlpTrainer.Mpi.Child.dll bandwidth [floats] [repeats]
//       times in-place all-reduces of that many floats; rank 0 prints "allreduce F floats median M ms P90 Q ms B GB/s"
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer;
using MlpTrainer.Mpi;

string scenario = args.Length > 0 ? args[0] : "";
using MpiWorkerGroup workers = MpiWorkerGroup.Initialize();
string me = $"rank {workers.Rank}/{workers.Size}";
try
{
    switch (scenario)
    {
        case "collectives":
            Collectives(workers);
            Console.WriteLine($"{me} collectives ok");
            break;
        case "train":
        {
            int epochs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
            float[] together = Train(Options(epochs, workers));
            float[] alone = Train(Options(epochs, null));
            float difference = together.Zip(alone, (a, b) => Math.Abs(a - b)).Max();
            Console.WriteLine($"{me} weights sha256 {Hash(together)}");
            Console.WriteLine($"{me} largest difference from one process {difference.ToString("R", CultureInfo.InvariantCulture)}");
            break;
        }
        case "mismatch":
        {
            MlpOptions options = Options(2, workers);
            if (workers.Rank == 1)
                options.HiddenLayerSizes = new[] { 9 };
            try
            {
                Train(options);
                Console.WriteLine($"{me} trained");
                return 0;
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine($"{me} error: {e.Message}");
                return 3;
            }
        }
        case "checkpointed":
        {
            MlpOptions options = Options(4, workers);
            options.CheckpointDirectory = args[1];
            int dieAt = args.Length > 3 && args[2] == "die-at" && workers.Rank == 1 ? int.Parse(args[3], CultureInfo.InvariantCulture) : -1;
            var trained = new List<int>();
            options.Progress = new Reporter(report =>
            {
                trained.Add(report.Epoch);
                if (report.Epoch == dieAt)
                    Process.GetCurrentProcess().Kill();
            });
            options.ResumeFromCheckpoint = args.Length > 2 && args[2] == "resume";
            float[] weights = Train(options);
            Console.WriteLine($"{me} trained epochs {string.Join(",", trained)}");
            Console.WriteLine($"{me} weights sha256 {Hash(weights)}");
            break;
        }
        case "long":
            Console.WriteLine($"{me} pid {Environment.ProcessId}");
            Console.Out.Flush();
            Train(Options(100_000, workers));
            break;
        case "bandwidth":
        {
            int floats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1 << 20;
            int repeats = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 50;
            var buffer = new float[floats];
            buffer.AsSpan().Fill(1f);
            for (int i = 0; i < 5; i++)
                workers.AllReduceSum(buffer);
            var times = new double[repeats];
            for (int i = 0; i < repeats; i++)
            {
                workers.Barrier();
                long start = Stopwatch.GetTimestamp();
                workers.AllReduceSum(buffer);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            Array.Sort(times);
            double median = times[repeats / 2], p90 = times[repeats * 9 / 10];
            if (workers.Rank == 0)
                Console.WriteLine(FormattableString.Invariant($"allreduce {floats} floats median {median:F3} ms P90 {p90:F3} ms {floats * 4.0 / (median / 1000) / 1e9:F2} GB/s"));
            break;
        }
        default:
            Console.Error.WriteLine($"{me}: unknown scenario '{scenario}' (collectives, train, mismatch, long, bandwidth)");
            return 2;
    }
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"{me} failed: {e}");
    workers.Abort(1);
    return 1;
}

static void Collectives(MpiWorkerGroup workers)
{
    int n = workers.Size, r = workers.Rank;
    var floats = Enumerable.Range(0, 1000).Select(i => (float)(i + r)).ToArray();
    workers.AllReduceSum(floats);
    for (int i = 0; i < floats.Length; i++)
        Require(floats[i] == n * i + n * (n - 1) / 2, $"float sum at {i} is {floats[i]}");
    double[] doubles = { r + 0.5, 1 };
    workers.AllReduceSum(doubles);
    Require(doubles[0] == n * (n - 1) / 2.0 + 0.5 * n && doubles[1] == n, $"double sums are {doubles[0]}, {doubles[1]}");
    byte[] bytes = r == n - 1 ? new byte[] { 1, 2, 3 } : new byte[3];
    workers.Broadcast(bytes, root: n - 1);
    Require(bytes.SequenceEqual(new byte[] { 1, 2, 3 }), "the broadcast bytes differ from the root's");
    Require(workers.AllGather(r * 10).SequenceEqual(Enumerable.Range(0, n).Select(k => k * 10)), "the gathered ranks are wrong");
}

static void Require(bool condition, string message)
{
    if (!condition)
        throw new InvalidOperationException(message);
}

static MlpOptions Options(int epochs, MlpWorkerGroup? workers) => new()
{
    HiddenLayerSizes = new[] { 8 },
    Activation = MlpActivation.Tanh,
    LearningRate = 0.02f,
    BatchSize = 16,
    NumberOfEpochs = epochs,
    EarlyStoppingPatience = 0,
    Seed = 7,
    NumberOfThreads = 1,
    Workers = workers,
};

static float[] Train(MlpOptions options)
{
    var ml = new MLContext(seed: 0);
    IDataView data = ml.Data.LoadFromEnumerable(Blobs(301, seed: 11));
    var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.Mlp(options));
    MlpModelParameters model = pipeline.Fit(data).LastTransformer.Model;
    return Enumerable.Range(0, model.LayerCount).SelectMany(l => model.GetWeights(l).ToArray().Concat(model.GetBiases(l).ToArray())).ToArray();
}

static string Hash(float[] weights)
    => Convert.ToHexString(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(weights.AsSpan()))).ToLowerInvariant();

static IEnumerable<Row> Blobs(int count, int seed)
{
    var random = new Random(seed);
    for (int i = 0; i < count; i++)
    {
        int label = i % 3;
        yield return new Row
        {
            Label = label,
            Features = Enumerable.Range(0, 4).Select(f => (float)(label * (f % 2 == 0 ? 2 : -1) + random.NextDouble() * 2 - 1)).ToArray(),
        };
    }
}

internal sealed class Reporter(Action<MlpEpochReport> report) : IProgress<MlpEpochReport>
{
    public void Report(MlpEpochReport value) => report(value);
}

internal sealed class Row
{
    public float Label { get; set; }

    [VectorType(4)]
    public float[] Features { get; set; } = Array.Empty<float>();
}
