using Microsoft.ML;
using MlpTrainer.Tests.Learning;
using MlpTrainer.Training;
using static MlpTrainer.Tests.TrainingControl.TrainingControlData;

namespace MlpTrainer.Tests.TrainingControl;

/// <summary>Checkpoints: written atomically, resumed exactly, refused when they belong to another run or are damaged.</summary>
public sealed class CheckpointTests : IDisposable
{
    private static readonly Datasets.Set Data = Datasets.Blobs(150, seed: 121);
    private readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private string CheckpointDirectory => _scratch.Sub("checkpoints");

    private MlpOptions WithCheckpoints(int epochs = 4, bool resume = false)
    {
        MlpOptions options = Quick(epochs);
        options.CheckpointDirectory = CheckpointDirectory;
        options.ResumeFromCheckpoint = resume;
        return options;
    }

    private static MlpModelParameters Fit(MlpOptions options, Datasets.Set? data = null)
    {
        var ml = new MLContext(seed: 0);
        return new MlpEstimator(ml, options).Fit(View(ml, data ?? Data)).Model;
    }

    /// <summary>The history without the wall-clock times, which no two runs share.</summary>
    private static MlpEpochReport[] Timeless(IEnumerable<MlpEpochReport> history) => history.Select(e => e with { Seconds = 0 }).ToArray();

    [Fact]
    public void ACheckpointFileAppearsInTheDirectoryAndNoTemporaryFileRemains()
    {
        Fit(WithCheckpoints(epochs: 3));

        string path = Path.Combine(CheckpointDirectory, "mlp-checkpoint.bin");
        Assert.True(File.Exists(path), $"{path} was not written");
        Assert.Empty(_scratch.TemporaryFiles());
        TrainingCheckpoint checkpoint = TrainingCheckpoint.TryRead(CheckpointDirectory)!;
        Assert.Equal(3, checkpoint.EpochsCompleted);
        Assert.Equal(Enumerable.Range(1, 3), checkpoint.History.Select(e => e.Epoch));
    }

    [Fact]
    public void TheCheckpointHoldsTheFinalWeightsOfTheRun()
    {
        // A checkpoint holds the weights as trained; StandardizeFeatures folds its standardisation into the model's
        // first layer after training, so this compares a run on the features as given.
        MlpOptions options = WithCheckpoints(epochs: 3);
        options.StandardizeFeatures = false;
        MlpModelParameters model = Fit(options);

        TrainingCheckpoint checkpoint = TrainingCheckpoint.TryRead(CheckpointDirectory)!;
        Assert.True(BitIdentical(Parameters(model), checkpoint.Parameters));
        Assert.Equal(model.TrainingHistory, checkpoint.History);
    }

    [Fact]
    public void CheckpointsAreWrittenEveryCheckpointEveryEpochsAndAfterTheLastEpoch()
    {
        // Epoch e's report comes before epoch e's checkpoint, so at each report the file holds the previous checkpoint.
        var onDisk = new List<int>();
        MlpOptions options = WithCheckpoints(epochs: 5);
        options.CheckpointEveryEpochs = 2;
        options.Progress = new RecordingProgress(_ => onDisk.Add(TrainingCheckpoint.TryRead(CheckpointDirectory)?.EpochsCompleted ?? 0));

        Fit(options);

        Assert.Equal(new[] { 0, 0, 2, 2, 4 }, onDisk);
        Assert.Equal(5, TrainingCheckpoint.TryRead(CheckpointDirectory)!.EpochsCompleted);
    }

    [Fact]
    public void ResumingAfterACompleteRunReturnsTheSameWeightsWithoutTrainingAgain()
    {
        MlpModelParameters first = Fit(WithCheckpoints());
        var progress = new RecordingProgress();
        MlpOptions again = WithCheckpoints(resume: true);
        again.Progress = progress;

        MlpModelParameters second = Fit(again);

        Assert.Empty(progress.Reports);
        Assert.True(BitIdentical(Parameters(first), Parameters(second)));
        Assert.Equal(first.TrainingHistory, second.TrainingHistory);
    }

    [Fact]
    public void ResumingAfterAnEarlyStoppedRunReturnsItsBestWeightsWithoutTrainingAgain()
    {
        (Datasets.Set train, Datasets.Set validation) = Overfitting();
        MlpOptions Options(bool resume)
        {
            MlpOptions o = OverfittingOptions();
            o.EarlyStoppingPatience = 3;
            o.ValidationFraction = 0.25f;
            o.CheckpointDirectory = CheckpointDirectory;
            o.ResumeFromCheckpoint = resume;
            return o;
        }
        MlpModelParameters first = Fit(Options(resume: false), train);
        Assert.True(first.TrainingHistory.Count < 200, "Test setup: the run did not stop early");
        var progress = new RecordingProgress();
        MlpOptions again = Options(resume: true);
        again.Progress = progress;

        MlpModelParameters second = Fit(again, train);

        Assert.Empty(progress.Reports);
        Assert.True(BitIdentical(Parameters(first), Parameters(second)), "resuming a finished run changed its (best) weights");
        Assert.Equal(first.TrainingHistory, second.TrainingHistory);
    }

    [Fact]
    public void WithoutResumeFromCheckpointAnExistingCheckpointIsIgnoredAndReplaced()
    {
        Directory.CreateDirectory(CheckpointDirectory);
        File.WriteAllText(TrainingCheckpoint.PathIn(CheckpointDirectory), "left over from something else");

        MlpModelParameters model = Fit(WithCheckpoints(epochs: 2));

        Assert.True(BitIdentical(Parameters(Fit(Quick(epochs: 2))), Parameters(model)));
        Assert.Equal(2, TrainingCheckpoint.TryRead(CheckpointDirectory)!.EpochsCompleted);
    }

    [Fact]
    public void ResumeWithoutACheckpointStartsAfreshAndEqualsAPlainRun()
    {
        MlpModelParameters plain = Fit(Quick(epochs: 4));
        MlpModelParameters resumed = Fit(WithCheckpoints(resume: true));

        Assert.True(BitIdentical(Parameters(plain), Parameters(resumed)));
        Assert.True(File.Exists(TrainingCheckpoint.PathIn(CheckpointDirectory)));
    }

    [Fact]
    public void WritingCheckpointsDoesNotChangeTheResult()
    {
        Assert.True(BitIdentical(Parameters(Fit(Quick(epochs: 4))), Parameters(Fit(WithCheckpoints()))));
    }

    [Fact]
    public void ARunInterruptedInProcessAndResumedEqualsAnUninterruptedRun()
    {
        // Early stopping with the best weights kept, dropout and a held-out validation share: every piece of state a
        // checkpoint carries. The run is cancelled during epoch 3 (2 checkpoints written), then resumed.
        (Datasets.Set train, _) = Overfitting();
        MlpOptions Options()
        {
            MlpOptions o = OverfittingOptions();
            o.EarlyStoppingPatience = 3;
            o.DropoutRate = 0.3f;
            o.ValidationFraction = 0.25f;
            o.CheckpointDirectory = CheckpointDirectory;
            o.ResumeFromCheckpoint = true;
            return o;
        }
        MlpOptions uninterruptedOptions = Options();
        uninterruptedOptions.CheckpointDirectory = _scratch.Sub("uninterrupted");
        MlpModelParameters uninterrupted = Fit(uninterruptedOptions, train);
        Assert.True(uninterrupted.TrainingHistory.Count > 3, $"Test setup: training stopped after {uninterrupted.TrainingHistory.Count} epochs");

        using var source = new CancellationTokenSource();
        MlpOptions interrupted = Options();
        interrupted.CancellationToken = source.Token;
        interrupted.Progress = new RecordingProgress(r =>
        {
            if (r.Epoch == 3)
                source.Cancel(); // the next minibatch check (epoch 3's checkpoint is still written before it) throws
        });
        Assert.ThrowsAny<OperationCanceledException>(() => Fit(interrupted, train));
        int completed = TrainingCheckpoint.TryRead(CheckpointDirectory)!.EpochsCompleted;
        Assert.Equal(3, completed);

        var progress = new RecordingProgress();
        MlpOptions resumedOptions = Options();
        resumedOptions.Progress = progress;
        MlpModelParameters resumed = Fit(resumedOptions, train);

        Assert.Equal(Enumerable.Range(completed + 1, uninterrupted.TrainingHistory.Count - completed), progress.Reports.Select(r => r.Epoch));
        Assert.Equal(Timeless(uninterrupted.TrainingHistory), Timeless(resumed.TrainingHistory));
        Assert.True(BitIdentical(Parameters(uninterrupted), Parameters(resumed)), "the resumed weights differ from the uninterrupted run's");
    }

    [Fact]
    public void ACheckpointFromARunWithAnotherSeedIsRefusedWithAClearMessage()
    {
        Fit(WithCheckpoints());
        MlpOptions other = WithCheckpoints(resume: true);
        other.Seed = 8;

        var error = Assert.Throws<InvalidOperationException>(() => Fit(other));

        Assert.Contains("different run", error.Message);
        Assert.Contains(CheckpointDirectory, error.Message);
    }

    [Fact]
    public void ACheckpointFromARunOnOtherDataIsRefusedWithAClearMessage()
    {
        Fit(WithCheckpoints());

        var error = Assert.Throws<InvalidOperationException>(() => Fit(WithCheckpoints(resume: true), Datasets.Blobs(150, seed: 122)));

        Assert.Contains("different run", error.Message);
    }

    [Fact]
    public void ACheckpointFromARunWithOtherTrainingOptionsIsRefused()
    {
        Fit(WithCheckpoints());
        MlpOptions other = WithCheckpoints(resume: true);
        other.LearningRate = 0.03f;

        Assert.Throws<InvalidOperationException>(() => Fit(other));
    }

    [Theory]
    [InlineData("flipped payload byte")]
    [InlineData("truncated")]
    [InlineData("not a checkpoint")]
    [InlineData("empty")]
    public void ADamagedCheckpointGivesInvalidDataExceptionNamingTheFile(string damage)
    {
        Fit(WithCheckpoints());
        string path = TrainingCheckpoint.PathIn(CheckpointDirectory);
        byte[] bytes = File.ReadAllBytes(path);
        switch (damage)
        {
            case "flipped payload byte": bytes[bytes.Length / 2] ^= 0x40; break;
            case "truncated": bytes = bytes[..(bytes.Length - 9)]; break;
            case "not a checkpoint": bytes = System.Text.Encoding.ASCII.GetBytes("PK\u0003\u0004 this is some other file entirely"); break;
            case "empty": bytes = Array.Empty<byte>(); break;
        }
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => Fit(WithCheckpoints(resume: true)));

        Assert.Contains(path, error.Message);
    }
}
