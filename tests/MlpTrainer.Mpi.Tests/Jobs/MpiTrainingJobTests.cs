using System.Diagnostics;
using System.Globalization;
using MlpTrainer.Mpi.Tests.Support;

namespace MlpTrainer.Mpi.Tests.Jobs;

/// <summary>MpiWorkerGroup under mpiexec (tests/MlpTrainer.Mpi.Child): collectives, training, mismatches, a killed worker.</summary>
[Collection(nameof(MpiJobs))]
public sealed class MpiTrainingJobTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void SumsBroadcastAndGatherGiveEveryWorkerTheExpectedValues(int workers)
    {
        using MpiJob job = MpiJob.Run(workers, "collectives");

        Assert.True(job.ExitCode == 0, job.ToString());
        Assert.Equal(Enumerable.Range(0, workers).Select(r => $"rank {r}/{workers} collectives ok").Order(), job.OutputLines.Where(l => l.EndsWith("collectives ok")).Order());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void EveryWorkerEndsWithTheSameWeightsThoseOfOneProcessUpToRounding(int workers)
    {
        using MpiJob job = MpiJob.Run(workers, "train", "3");

        Assert.True(job.ExitCode == 0, job.ToString());
        string[] hashes = job.OutputLines.Where(l => l.Contains(" weights sha256 ")).Select(l => l.Split(' ')[^1]).ToArray();
        Assert.Equal(workers, hashes.Length);
        Assert.Single(hashes.Distinct());
        float[] differences = job.OutputLines.Where(l => l.Contains(" largest difference from one process "))
            .Select(l => float.Parse(l.Split(' ')[^1], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(workers, differences.Length);
        Assert.All(differences, d => Assert.True(d <= 1e-5f, $"a worker's weights differ from one process's by {d}"));
    }

    [Fact]
    public void TwoRunsWithTheSameSeedEndWithTheSameWeights()
    {
        string Hash()
        {
            using MpiJob job = MpiJob.Run(2, "train", "2");
            Assert.True(job.ExitCode == 0, job.ToString());
            return job.OutputLines.First(l => l.StartsWith("rank 0/2 weights sha256 ")).Split(' ')[^1];
        }

        Assert.Equal(Hash(), Hash());
    }

    [Fact]
    public void AWorkerWithOtherOptionsEndsEveryWorkerWithAnErrorNamingTheOption()
    {
        using MpiJob job = MpiJob.Run(2, "mismatch");

        Assert.True(job.ExitCode != 0, job.ToString());
        Assert.Contains("rank 1/2 error: Worker 1 of 2 differs from worker 0", job.Error);
        Assert.Contains("MlpOptions.HiddenLayerSizes is 8 on worker 0 and 9 here", job.Error);
        Assert.Contains("rank 0/2 error: 1 of the 2 workers differ from worker 0", job.Error);
    }

    [Fact]
    public void AJobWhoseWorkerDiedResumesFromTheCheckpointToTheUninterruptedWeights()
    {
        string root = Path.Combine(Path.GetTempPath(), "mlp-mpi-checkpoints-" + Guid.NewGuid().ToString("N"));
        try
        {
            using MpiJob uninterrupted = MpiJob.Run(2, "checkpointed", Path.Combine(root, "a"));
            using MpiJob died = MpiJob.Run(2, "checkpointed", Path.Combine(root, "b"), "die-at", "3");
            using MpiJob resumed = MpiJob.Run(2, "checkpointed", Path.Combine(root, "b"), "resume");

            Assert.True(uninterrupted.ExitCode == 0, uninterrupted.ToString());
            Assert.True(died.ExitCode != 0, died.ToString());
            Assert.DoesNotContain(" weights sha256 ", died.Output);
            Assert.True(resumed.ExitCode == 0, resumed.ToString());
            // Worker 0 writes epoch 2's checkpoint, and epoch 3's too when it gets there before the job ends: the rest came from it.
            Assert.Contains(resumed.OutputLines.Single(l => l.StartsWith("rank 0/2 trained epochs ", StringComparison.Ordinal)),
                new[] { "rank 0/2 trained epochs 3,4", "rank 0/2 trained epochs 4" });
            string[] expected = uninterrupted.OutputLines.Where(l => l.Contains(" weights sha256 ")).Order().ToArray();
            Assert.Equal(2, expected.Length);
            Assert.Equal(expected, resumed.OutputLines.Where(l => l.Contains(" weights sha256 ")).Order().ToArray());
        }
        finally
        {
            if (Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void AWorkerKilledWithSigkillEndsTheJobWithANonZeroExitWithinSixtySeconds()
    {
        using MpiJob job = MpiJob.Start(2, "long");
        string line = job.WaitForLine("rank 1/2 pid ", MpiJob.Timeout);
        using Process worker = Process.GetProcessById(int.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture));
        Thread.Sleep(1000); // both workers are training, inside their collectives

        var clock = Stopwatch.StartNew();
        worker.Kill(); // SIGKILL
        job.WaitForExit(TimeSpan.FromSeconds(90));

        Assert.True(job.ExitCode != 0, job.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the job took {clock.Elapsed} to end after the kill");
    }
}
