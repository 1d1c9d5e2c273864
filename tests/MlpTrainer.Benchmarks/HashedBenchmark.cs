using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Benchmarks;

/// <summary>
/// Sparse, wide features as ML.NET's categorical-data tutorials make them: a real table of 43,699 Minneapolis police
/// stops (10 categorical columns, 3 numeric; label: was the person searched), each categorical column hashed with
/// <c>OneHotHashEncoding</c> and concatenated with the normalized numeric columns, then a binary trainer. MlpTrainer's
/// binary <c>Mlp</c> (default options, 5 epochs) and ML.NET's <c>SdcaLogisticRegression</c> run the same pipeline, each
/// in a fresh process of this program, so each one's wall time of <c>pipeline.Fit</c> and peak working set are its own.
/// The data comes from Debian's r-cran-cardata: <c>tests/MlpTrainer.Benchmarks/data/make_mplsstops.sh</c> writes the CSV.
/// </summary>
internal static class HashedBenchmark
{
    private static readonly string[] Categorical =
        { "problem", "citationIssued", "vehicleSearch", "preRace", "race", "gender", "policePrecinct", "neighborhood", "month", "dayOfWeek" };

    private static readonly string[] Numeric = { "hour", "lat", "long" };

    public static string DefaultCsv => Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "data", "mplsstops.csv");

    /// <summary>Runs both trainers, each in its own process, and prints the table.</summary>
    public static int Run(string csv, int bits, int epochs)
    {
        if (!File.Exists(csv))
        {
            Console.Error.WriteLine($"No data at '{Path.GetFullPath(csv)}'. Make it with: sh tests/MlpTrainer.Benchmarks/data/make_mplsstops.sh (installs Debian's r-cran-cardata).");
            return 1;
        }
        Console.WriteLine($"Minneapolis stops ({csv}): 10 categorical columns hashed with OneHotHashEncoding({bits} bits) each = {Categorical.Length << bits:N0} slots, " +
                          $"+ 3 normalized numeric; 80/20 split (seed 0); binary label personSearch. Each trainer in a fresh process.");
        Console.WriteLine($"| trainer | Fit wall time (s) | peak working set (MiB) | test AUC |");
        Console.WriteLine($"| --- | --- | --- | --- |");
        var notes = new List<string>();
        foreach (string trainer in new[] { "mlp", "sdca" })
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
                start.ArgumentList.Add(typeof(HashedBenchmark).Assembly.Location);
            foreach (string a in new[] { "hashed-one", trainer, csv, bits.ToString(CultureInfo.InvariantCulture), epochs.ToString(CultureInfo.InvariantCulture) })
                start.ArgumentList.Add(a);
            using Process child = Process.Start(start)!;
            string output = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            if (child.ExitCode != 0)
            {
                Console.Error.WriteLine($"The {trainer} run failed:\n{output}");
                return 1;
            }
            // Table rows first; a run's other lines (the MLP's scoring times) after the table.
            foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (line.StartsWith('|'))
                    Console.WriteLine(line);
                else
                    notes.Add(line);
            }
        }
        foreach (string note in notes)
            Console.WriteLine(note);
        return 0;
    }

    /// <summary>One trainer's run, in this process: prints its table row.</summary>
    public static int RunOne(string trainer, string csv, int bits, int epochs)
    {
        var ml = new MLContext(seed: 0);
        if (Environment.GetEnvironmentVariable("MLP_BENCHMARK_LOG") == "1")
            ml.Log += (_, e) => { if (e.Source.Contains("Mlp", StringComparison.Ordinal) || e.Source.Contains("Training", StringComparison.Ordinal)) Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss.fff}] {e.Message}"); };
        var columns = Categorical.Select((name, i) => new TextLoader.Column(name, DataKind.String, i))
            .Concat(Numeric.Select((name, i) => new TextLoader.Column(name, DataKind.Single, Categorical.Length + i)))
            .Append(new TextLoader.Column("Label", DataKind.Boolean, Categorical.Length + Numeric.Length))
            .ToArray();
        IDataView data = ml.Data.LoadFromTextFile(csv, columns, separatorChar: ',', hasHeader: true, allowQuoting: true);
        DataOperationsCatalog.TrainTestData split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 0);

        IEstimator<ITransformer> featurize = ml.Transforms.Concatenate("Numeric", Numeric)
            .Append(ml.Transforms.NormalizeMeanVariance("Numeric"));
        foreach (string c in Categorical)
            featurize = featurize.Append(ml.Transforms.Categorical.OneHotHashEncoding(c, c, numberOfBits: bits));
        featurize = featurize.Append(ml.Transforms.Concatenate("Features", Categorical.Append("Numeric").ToArray()))
            .AppendCacheCheckpoint(ml);
        IEstimator<ITransformer> pipeline = trainer switch
        {
            "mlp" => featurize.Append(ml.BinaryClassification.Trainers.Mlp(new MlpOptions { NumberOfEpochs = epochs, Seed = 0 })),
            "sdca" => featurize.Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression()),
            _ => throw new ArgumentException($"Unknown trainer '{trainer}': mlp or sdca."),
        };

        var watch = Stopwatch.StartNew();
        ITransformer model = pipeline.Fit(split.TrainSet);
        double seconds = watch.Elapsed.TotalSeconds;
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        double auc = ml.BinaryClassification.EvaluateNonCalibrated(model.Transform(split.TestSet)).AreaUnderRocCurve;
        string name = trainer == "mlp" ? $"MlpTrainer binary `Mlp` (defaults, {epochs} epochs)" : "ML.NET `SdcaLogisticRegression`";
        Console.WriteLine($"| {name} | {seconds:F2} | {peak >> 20} | {auc:F4} |");
        if (trainer == "mlp")
            PrintScoringTimes(ml, model, split.TestSet);
        return 0;
    }

    /// <summary>
    /// Scoring the test rows with the trained MLP: ML.NET's <c>Transform</c> (a cursor pass over the scores, the
    /// featurizers included) against <c>PredictBatch</c> on the same rows' features as sparse rows (featurized beforehand).
    /// </summary>
    private static void PrintScoringTimes(MLContext ml, ITransformer model, IDataView test)
    {
        var chain = (TransformerChain<BinaryPredictionTransformer<MlpBinaryModelParameters>>)model;
        MlpBinaryModelParameters mlp = chain.LastTransformer.Model;
        ITransformer[] steps = chain.ToArray();
        IDataView featurized = ml.Data.Cache(new TransformerChain<ITransformer>(steps[..^1]).Transform(test));
        var starts = new List<int> { 0 };
        var indices = new List<int>();
        var values = new List<float>();
        foreach (VBuffer<float> row in featurized.GetColumn<VBuffer<float>>("Features"))
        {
            foreach (var (index, value) in row.Items())
            {
                indices.Add(index);
                values.Add(value);
            }
            starts.Add(indices.Count);
        }
        int rows = starts.Count - 1;
        var logits = new float[rows];
        double transform = double.MaxValue, batch = double.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            var watch = Stopwatch.StartNew();
            float checksum = model.Transform(test).GetColumn<float>("Score").Sum();
            transform = Math.Min(transform, watch.Elapsed.TotalSeconds);
            watch.Restart();
            mlp.PredictBatch(starts.ToArray(), indices.ToArray(), values.ToArray(), logits);
            batch = Math.Min(batch, watch.Elapsed.TotalSeconds);
            if (!float.IsFinite(checksum))
                throw new InvalidOperationException("Non-finite scores.");
        }
        Console.WriteLine($"Scoring the {rows:N0} test rows with the MLP (best of 3): Transform {transform:F3} s (featurizing included), " +
                          $"PredictBatch on the featurized rows as sparse rows {batch:F4} s ({rows / batch:N0} rows/s, {indices.Count / (double)rows:F1} non-zeros a row).");
    }
}
