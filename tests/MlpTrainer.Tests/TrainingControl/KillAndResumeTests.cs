using System.Diagnostics;
using Microsoft.ML;
using MlpTrainer.Training;
using static MlpTrainer.Tests.TrainingControl.TrainingControlData;

namespace MlpTrainer.Tests.TrainingControl;

/// <summary>
/// Resume equals uninterrupted, across processes: tests/MlpTrainer.TrainingChild trains <see cref="ResumeProblem"/> with a
/// checkpoint per epoch and is killed after its third checkpoint; this process resumes from what it left and must end
/// with the weights of a run that was never interrupted, bit for bit.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class KillAndResumeTests : IDisposable
{
    private readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static MlpEpochReport[] Timeless(IEnumerable<MlpEpochReport> history) => history.Select(e => e with { Seconds = 0 }).ToArray();

    [Fact]
    public void ARunKilledAfterSomeCheckpointsAndResumedEqualsAnUninterruptedRunBitForBit()
    {
        // The child sleeps 400 ms per epoch (before writing that epoch's checkpoint), which leaves ample margin to see its
        // third checkpoint and kill it well before its last. By then ReduceOnPlateau has cut the rate, so the schedule's
        // state, as well as Adam's, must come back from the checkpoint.
        const int seed = 17;
        string directory = _scratch.Sub("killed");
        using (TrainingChildProcess.Running child = TrainingChildProcess.Start(
                   "--checkpoint-dir", directory, "--epochs", ResumeProblem.Epochs.ToString(), "--seed", seed.ToString(), "--epoch-delay-ms", "400"))
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                Assert.False(child.HasExited, $"The child ended before its third checkpoint: {child}");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"No third checkpoint within 90 s: {child}");
                if (CompletedEpochs(directory) >= 3)
                    break;
                Thread.Sleep(20);
            }
            child.KillAndWait();
        }
        TrainingCheckpoint left = TrainingCheckpoint.TryRead(directory)!;
        int completed = left.EpochsCompleted;
        Assert.InRange(completed, 3, ResumeProblem.Epochs - 1);
        Assert.True(left.ScheduleState[0] < 0.01, $"Test setup: the rate was not cut before the kill (schedule state {string.Join(", ", left.ScheduleState)})");

        var ml = new MLContext(seed: 0);
        var progress = new RecordingProgress();
        MlpOptions resumeOptions = ResumeProblem.Options(seed, ResumeProblem.Epochs, directory, resume: true);
        resumeOptions.Progress = progress;
        MlpModelParameters resumed = new MlpEstimator(ml, resumeOptions).Fit(ResumeProblem.Data(ml)).Model;

        var ml2 = new MLContext(seed: 0);
        MlpModelParameters uninterrupted = new MlpEstimator(ml2, ResumeProblem.Options(seed, ResumeProblem.Epochs, null, resume: false))
            .Fit(ResumeProblem.Data(ml2)).Model;

        Assert.Equal(Enumerable.Range(completed + 1, ResumeProblem.Epochs - completed), progress.Reports.Select(r => r.Epoch));
        Assert.Equal(Timeless(uninterrupted.TrainingHistory), Timeless(resumed.TrainingHistory));
        Assert.True(BitIdentical(Parameters(uninterrupted), Parameters(resumed)), "the resumed weights differ from the uninterrupted run's");
    }

    /// <summary>Epochs in the checkpoint in <paramref name="directory"/>, or 0 when there is none (yet) or it cannot be read now.</summary>
    private static int CompletedEpochs(string directory)
    {
        try
        {
            return TrainingCheckpoint.TryRead(directory)?.EpochsCompleted ?? 0;
        }
        catch (IOException)
        {
            return 0; // being replaced at this moment (Windows); try again
        }
    }
}
