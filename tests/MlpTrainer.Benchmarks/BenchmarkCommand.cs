namespace MlpTrainer.Benchmarks;

internal static class BenchmarkCommand
{
    private const string Usage = """
        Usage: dotnet run -c Release --project tests/MlpTrainer.Benchmarks -- <benchmark> [options]
          fit [--epochs N] [--threads N] [--activation relu|tanh|sigmoid|...]
                                              the user's path: MlpEstimator.Fit on a cached, NormalizeMinMax-ed IDataView of
                                              the standard workload (ReLU unless --activation); Fit wall time, time before
                                              the first epoch, reading, first and median epoch, peak working set, test accuracy
          scaling [--epochs N] [--threads N]  Fit wall time for 10k, 60k and 600k rows (the last streamed)
          small                               a 150-row table (Iris) with default options: Fit beyond its epochs
          read                                profiling: reading the cached Fashion-MNIST view into memory
          epochs [--epochs N] [--threads N]   the internal training loop (profiling) on the standard workload: Fashion-MNIST 60k, 784-256-128-10 ReLU, Adam 1e-3,
                                              batch 128; prints s/epoch (median), samples/s, GFLOP/s, % of the GEMM
                                              ceiling, peak working set and test accuracy
          profile [--epochs N] [--threads N] [--steps N] [--batch N]
                                              accounts for a steady step of the standard workload: µs per step of the
                                              gather, each layer's products (with GFLOP/s), bias and activation, loss,
                                              derivatives and the optimizer, from N timed epochs alternating with N untimed;
                                              --steps N runs N untimed steps only (for instruction counts under callgrind)
          gemm [--threads N]                  GFLOP/s of the matrix products backprop uses, and the ceiling
          scoring [--threads N]               rows/s scoring the test set
          hashed [--bits 18] [--epochs 200]   sparse features: a real table's 10 categorical columns hashed with
                                              OneHotHashEncoding, binary Mlp (defaults) against SdcaLogisticRegression,
                                              each in a fresh process: Fit wall time, peak working set, test AUC
          defaults [data-dir] [out-dir]       5-fold cross-validation with default options (and Lbfgs) on scikit-learn's
                                              diabetes, breast cancer, wine and digits tables; writes each table with its
                                              folds to out-dir for peers/defaults.py (peers/defaults.sh runs both)
          tabular [--data DIR] [--out FILE] [--tables a,b] [--trainers mlp,lightgbm,fasttree,linear-sdca,linear-alt]
                                              defaults against gradient boosting: the MLP, LightGbm, FastTree and two
                                              linear trainers with default options on the real tables data/make_tables.sh
                                              wrote (manifest.json in DIR), on their folds; one line per table, trainer
                                              and fold to FILE (peers/tabular.sh runs it all and prints the table);
                                              linear-sdca = Sdca / SdcaLogisticRegression / SdcaMaximumEntropy,
                                              linear-alt = OnlineGradientDescent / LbfgsLogisticRegression / LbfgsMaximumEntropy;
                                              --mlp "Field=value;..." sets MlpOptions fields for the MLP (a candidate default)
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 1 : 0;
        }
        if (args[0] == "hashed-one" && args.Length == 5)
            return HashedBenchmark.RunOne(args[1], args[2], int.Parse(args[3]), int.Parse(args[4]));
        if (args[0] == "defaults")
            return DefaultsBenchmark.Run(args.Length > 1 ? args[1] : DefaultsBenchmark.DefaultDataDirectory,
                args.Length > 2 ? args[2] : Path.Combine(Path.GetTempPath(), "mlp-defaults"));
        if (args[0] == "tabular")
            return TabularBenchmark.Run(args);
        MlpActivation activation = MlpActivation.ReLU;
        int named = Array.IndexOf(args, "--activation");
        if (named > 0)
        {
            if (named + 1 >= args.Length || !Enum.TryParse(args[named + 1], ignoreCase: true, out activation) || !Enum.IsDefined(activation))
                return Fail($"--activation needs one of: {string.Join(", ", Enum.GetNames<MlpActivation>())}.");
            args = args.Where((_, i) => i != named && i != named + 1).ToArray();
        }
        var options = new Dictionary<string, int>();
        for (int i = 1; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], out int value) || value < 1)
            {
                Console.Error.WriteLine($"Option '{args[i]}' needs a positive whole number.");
                return 1;
            }
            options[args[i]] = value;
        }
        int threads = options.GetValueOrDefault("--threads", Environment.ProcessorCount);
        return args[0] switch
        {
            "fit" => FitBenchmark.RunFit(options.GetValueOrDefault("--epochs", 5), threads, activation),
            "small" => FitBenchmark.RunSmall(),
            "read" => FitBenchmark.RunRead(),
            "scaling" => FitBenchmark.RunScaling(options.GetValueOrDefault("--epochs", 3), threads),
            "epochs" => EpochBenchmark.Run(options.GetValueOrDefault("--epochs", 5), threads),
            "profile" => ProfileBenchmark.Run(options.GetValueOrDefault("--epochs", 3), threads, options.TryGetValue("--steps", out int steps) ? steps : null, options.GetValueOrDefault("--batch", 128)),
            "gemm" => GemmBenchmark.Run(threads),
            "scoring" => ScoringBenchmark.Run(threads),
            "hashed" => HashedBenchmark.Run(HashedBenchmark.DefaultCsv, options.GetValueOrDefault("--bits", 18), options.GetValueOrDefault("--epochs", new MlpOptions().NumberOfEpochs)),
            _ => Fail($"Unknown benchmark '{args[0]}'.\n{Usage}"),
        };
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }
}
