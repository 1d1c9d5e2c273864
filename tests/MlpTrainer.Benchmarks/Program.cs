using MlpTrainer.Benchmarks;

// dotnet run -c Release --project tests/MlpTrainer.Benchmarks -- epochs [--epochs N] [--threads N]
// dotnet run -c Release --project tests/MlpTrainer.Benchmarks -- gemm
return BenchmarkCommand.Run(args);
