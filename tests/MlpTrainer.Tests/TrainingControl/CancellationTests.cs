using System.Diagnostics;
using Microsoft.ML;
using MlpTrainer.Tests.Learning;
using MlpTrainer.Training;
using static MlpTrainer.Tests.TrainingControl.TrainingControlData;

namespace MlpTrainer.Tests.TrainingControl;

/// <summary>
/// <see cref="MlpOptions.CancellationToken"/> stops training within one minibatch. These tests measure a latency bound
/// (under one second from <c>Cancel()</c> to the exception), so they run alone, not beside other tests.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class CancellationTests : IDisposable
{
    private static readonly Datasets.Set Data = Datasets.Blobs(2000, seed: 101);
    private readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static MlpOptions LongRun()
    {
        MlpOptions options = Quick(epochs: 50);
        options.HiddenLayerSizes = new[] { 32 };
        options.BatchSize = 4;
        return options;
    }

    [Fact]
    public void ATokenCancelledBeforeFitThrowsOperationCanceledExceptionWithoutTraining()
    {
        var ml = new MLContext(seed: 0);
        using var source = new CancellationTokenSource();
        source.Cancel();
        var progress = new RecordingProgress();
        MlpOptions options = LongRun();
        options.CancellationToken = source.Token;
        options.Progress = progress;
        options.CheckpointDirectory = _scratch.Sub("checkpoints");
        IDataView data = View(ml, Data);
        var estimator = new MlpEstimator(ml, options);

        var clock = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => estimator.Fit(data));
        clock.Stop();

        Assert.Empty(progress.Reports);
        Assert.False(File.Exists(TrainingCheckpoint.PathIn(options.CheckpointDirectory)), "a checkpoint was written");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"Fit took {clock.Elapsed.TotalSeconds:F2} s to notice a cancelled token");
    }

    [Fact]
    public void CancellingFromAnotherThreadDuringFitStopsItWithinOneSecond()
    {
        // Long epochs (2,000 rows one at a time through a 256-256 net) and a cancel a quarter of an epoch into the second: a
        // check between epochs would let the second epoch end, a check every minibatch stops it within a millisecond or so.
        var ml = new MLContext(seed: 0);
        using var source = new CancellationTokenSource();
        using var firstEpochDone = new ManualResetEventSlim();
        var progress = new RecordingProgress(_ => firstEpochDone.Set());
        MlpOptions options = Quick(epochs: 3);
        options.HiddenLayerSizes = new[] { 256, 256 };
        options.BatchSize = 1;
        options.LearningRate = 1e-3f;
        options.CancellationToken = source.Token;
        options.Progress = progress;
        options.CheckpointDirectory = _scratch.Sub("checkpoints");
        IDataView data = View(ml, Datasets.Blobs(2_000, seed: 102));
        var estimator = new MlpEstimator(ml, options);

        long cancelledAt = 0;
        int reportsAtCancel = -1;
        var canceller = new Thread(() =>
        {
            if (!firstEpochDone.Wait(TimeSpan.FromSeconds(60)))
                return;
            Thread.Sleep(TimeSpan.FromSeconds(progress.Reports[0].Seconds / 4));
            reportsAtCancel = progress.Reports.Count;
            cancelledAt = Stopwatch.GetTimestamp();
            source.Cancel();
        }) { IsBackground = true };
        canceller.Start();

        var error = Record.Exception(() => estimator.Fit(data));
        long caughtAt = Stopwatch.GetTimestamp();
        canceller.Join();

        Assert.True(cancelledAt != 0, "Fit ended before the first epoch was reported");
        Assert.True(error is OperationCanceledException, $"Fit ended with {error?.GetType().Name ?? "no exception"} after Cancel()");
        TimeSpan latency = Stopwatch.GetElapsedTime(cancelledAt, caughtAt);
        double epochSeconds = progress.Reports[0].Seconds;
        Assert.True(latency < TimeSpan.FromSeconds(1), $"Fit stopped {latency.TotalMilliseconds:F0} ms after Cancel() (an epoch takes {epochSeconds:F2} s)");
        Assert.Equal(1, reportsAtCancel); // Test setup: cancelled during the second epoch
        Assert.Single(progress.Reports);  // which never ended
        Assert.Empty(_scratch.TemporaryFiles());
    }

    [Fact]
    public void CancellationLeavesNoTemporaryCheckpointFileBehind()
    {
        var ml = new MLContext(seed: 0);
        using var source = new CancellationTokenSource();
        MlpOptions options = LongRun();
        options.CancellationToken = source.Token;
        options.CheckpointDirectory = _scratch.Sub("checkpoints");
        // Cancelled when epoch 2 is reported: epoch 2's checkpoint is still written, and the first minibatch of epoch 3 stops.
        options.Progress = new RecordingProgress(r =>
        {
            if (r.Epoch == 2)
                source.Cancel();
        });
        IDataView data = View(ml, Data);

        Assert.ThrowsAny<OperationCanceledException>(() => new MlpEstimator(ml, options).Fit(data));

        Assert.Empty(_scratch.TemporaryFiles());
        TrainingCheckpoint? checkpoint = TrainingCheckpoint.TryRead(options.CheckpointDirectory);
        Assert.NotNull(checkpoint);
        Assert.Equal(2, checkpoint!.EpochsCompleted);
        Assert.False(checkpoint.Finished);
    }
}

/// <summary>Tests that measure elapsed time or race a child process: run after the parallel tests, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitive
{
    public const string Name = "Training control: timing-sensitive";
}
