using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Samples.Data;
using MlpTrainer.Samples.Tests.Support;

namespace MlpTrainer.Samples.Tests;

/// <summary>
/// The <c>distributed</c> command as users run it, under <c>mpiexec -n 2</c> (CI installs mpich and
/// dataset-fashion-mnist), on a slice of the images: identical weights on every worker, the accuracy of one process, and
/// a saved model that scores the same in this process, without MPI.
/// </summary>
public sealed class DistributedTests
{
    [Fact]
    public void Two_workers_end_with_the_same_weights_and_save_a_model_that_scores_the_same_without_mpi()
    {
        Assert.True(FashionMnist.IsInstalled(), "Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist");
        using var folder = new TempFolder();
        string modelPath = folder.File("model.zip");

        SampleResult two = RunUnderMpi(2, "distributed", "--train-rows", "2000", "--epochs", "1", "--model", modelPath);
        SampleResult one = RunUnderMpi(1, "distributed", "--train-rows", "2000", "--epochs", "1", "--model", folder.File("one.zip"));

        Assert.True(two.ExitCode == 0, two.ToString());
        Assert.True(one.ExitCode == 0, one.ToString());
        string[] hashes = Lines(two, " weights sha256 ").Select(l => l.Split(' ')[^1]).ToArray();
        Assert.Equal(2, hashes.Length);
        Assert.Single(hashes.Distinct());
        double accuracy = Accuracy(two), alone = Accuracy(one);
        Assert.True(Math.Abs(accuracy - alone) <= 0.01, $"2 workers {accuracy}, 1 worker {alone}");
        Assert.Matches(@"median epoch \d+\.\d\d s", two.Output);

        var ml = new MLContext();
        ITransformer model = ml.Model.Load(modelPath, out _);
        IDataView test = FashionMnist.Load(train: false).ToDataView(ml);
        double reloaded = ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        Assert.Equal(accuracy, reloaded, 4);
    }

    private static IEnumerable<string> Lines(SampleResult result, string containing)
        => result.Output.Split('\n', StringSplitOptions.TrimEntries).Where(l => l.Contains(containing, StringComparison.Ordinal));

    private static double Accuracy(SampleResult result)
        => double.Parse(Lines(result, "test accuracy ").Single().Split(' ')[^1], CultureInfo.InvariantCulture);

    private static SampleResult RunUnderMpi(int workers, params string[] args)
    {
        string program = Path.Combine(AppContext.BaseDirectory, "MlpTrainer.Samples.dll");
        string host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo("mpiexec") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "-n", workers.ToString(CultureInfo.InvariantCulture), host, program }.Concat(args))
            start.ArgumentList.Add(arg);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("mpiexec cannot be started: apt-get install mpich");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mpiexec -n {workers} did not finish within 3 minutes: {string.Join(' ', args)}");
        }
        return new SampleResult(process.ExitCode, output.Result, errors.Result);
    }
}
