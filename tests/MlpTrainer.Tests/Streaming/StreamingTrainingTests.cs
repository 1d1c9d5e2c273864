using Microsoft.ML;
using MlpTrainer.Tests.Learning;
using MlpTrainer.Tests.Tasks;
using static MlpTrainer.Tests.Streaming.StreamingTestData;
using static MlpTrainer.Tests.TrainingControl.TrainingControlData;

namespace MlpTrainer.Tests.Streaming;

/// <summary>
/// Training on streamed data: deterministic, resumable, as good as in memory. With a shuffle buffer at least as large
/// as the data, a streamed epoch visits the rows in exactly the in-memory order, so training is bit-identical to the
/// in-memory path; with a smaller buffer it is a different (less thoroughly shuffled) but equally deterministic run.
/// </summary>
public sealed class StreamingTrainingTests : IDisposable
{
    private static readonly Datasets.Set Blobs = Datasets.Blobs(300, seed: 121);
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "mlp-streaming-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_scratch))
            Directory.Delete(_scratch, recursive: true);
    }

    [Fact]
    public void WithABufferHoldingEveryRowStreamingTrainsBitIdenticallyToInMemory()
    {
        MlpModelParameters inMemory = Fit(Streamed(0), Blobs);
        (MlpModelParameters streamed, List<string> log) = FitLogged(Streamed(Blobs.Count), Blobs);

        Assert.Contains(log, m => m.Contains("Streaming the training data") && m.Contains("StreamingShuffleBufferRows is set"));
        Assert.True(BitIdentical(Parameters(inMemory), Parameters(streamed)));
    }

    [Fact]
    public void WithoutShufflingStreamingTrainsBitIdenticallyToInMemory()
    {
        MlpOptions memory = Streamed(0), streaming = Streamed(32);
        memory.Shuffle = streaming.Shuffle = false;
        Assert.True(BitIdentical(Parameters(Fit(memory, Blobs)), Parameters(Fit(streaming, Blobs))));
    }

    [Fact]
    public void StreamingIsDeterministicForASeedAndAnyThreadCount()
    {
        MlpOptions one = Streamed(40), again = Streamed(40), two = Streamed(40), otherSeed = Streamed(40);
        two.NumberOfThreads = 2;
        otherSeed.Seed = 8;
        float[] reference = Parameters(Fit(one, Blobs));

        Assert.True(BitIdentical(reference, Parameters(Fit(again, Blobs))));
        Assert.True(BitIdentical(reference, Parameters(Fit(two, Blobs))));
        Assert.False(BitIdentical(reference, Parameters(Fit(otherSeed, Blobs))));
        // A smaller buffer shuffles differently from the in-memory path.
        Assert.False(BitIdentical(reference, Parameters(Fit(Streamed(0), Blobs))));
    }

    [Fact]
    public void StreamingLearnsAsWellAsInMemory()
    {
        Datasets.Set train = Datasets.Blobs(600, seed: 5), test = Datasets.Blobs(300, seed: 6);
        double memory = Evaluate(Fit(Streamed(0, epochs: 10), train), test).Accuracy;
        double streamed = Evaluate(Fit(Streamed(48, epochs: 10), train), test).Accuracy;

        Assert.True(memory >= 0.9, $"in-memory accuracy {memory}");
        Assert.True(streamed >= 0.9, $"streamed accuracy {streamed}");
        Assert.True(Math.Abs(memory - streamed) <= 0.05, $"in memory {memory}, streamed {streamed}");
    }

    [Fact]
    public void RowsWithANaNFeatureOrAMissingLabelAreSkippedAndLogged()
    {
        Datasets.Set set = Blobs with
        {
            Features = Blobs.Features.Select((f, i) => i % 10 == 3 ? f.Select((v, j) => j == 0 ? float.NaN : v).ToArray() : f).ToArray(),
            Labels = Blobs.Labels.Select((y, i) => i % 10 == 6 ? 99 : y).ToArray(),
        };
        Datasets.Set clean = Blobs with
        {
            Features = Blobs.Features.Where((_, i) => i % 10 != 3 && i % 10 != 6).ToArray(),
            Labels = Blobs.Labels.Where((_, i) => i % 10 != 3 && i % 10 != 6).ToArray(),
        };

        (MlpModelParameters dirty, List<string> log) = FitLogged(Streamed(16), set);

        Assert.Single(log, m => m.Contains("Skipped 60 of 300 training rows: 30 with a NaN or infinite value in 'Features', 30 with a missing label;"));
        Assert.Contains(log, m => m.Contains("on 240 rows (streamed)"));
        // Every epoch skips the same rows: training equals training on the clean rows alone.
        Assert.True(BitIdentical(Parameters(Fit(Streamed(16), clean)), Parameters(dirty)));
    }

    [Fact]
    public void BalancedClassWeightsWorkWhenStreaming()
    {
        Datasets.Set imbalanced = Blobs with
        {
            Features = Blobs.Features.Where((_, i) => Blobs.Labels[i] != 2 || i % 5 == 0).ToArray(),
            Labels = Blobs.Labels.Where((y, i) => y != 2 || i % 5 == 0).ToArray(),
        };
        MlpOptions memory = Streamed(0), full = Streamed(imbalanced.Count), small = Streamed(24);
        memory.UseBalancedClassWeights = full.UseBalancedClassWeights = small.UseBalancedClassWeights = true;

        (MlpModelParameters inMemory, List<string> memoryLog) = FitLogged(memory, imbalanced);
        (MlpModelParameters streamed, List<string> streamedLog) = FitLogged(full, imbalanced);
        (_, List<string> smallLog) = FitLogged(small, imbalanced);

        string weights = Assert.Single(memoryLog, m => m.Contains("Class weights:"));
        string text = weights[weights.IndexOf("Class weights:")..];
        Assert.Contains(streamedLog, m => m.EndsWith(text));
        Assert.Contains(smallLog, m => m.EndsWith(text));
        Assert.True(BitIdentical(Parameters(inMemory), Parameters(streamed)));
    }

    [Fact]
    public void NormalizeLabelWorksWhenStreaming()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, TaskData.Radial(300, seed: 4, scale: 1000, offset: 5000));
        MlpOptions memory = TaskData.SmallOptions(epochs: 8), full = TaskData.SmallOptions(epochs: 8), small = TaskData.SmallOptions(epochs: 8);
        memory.NormalizeLabel = full.NormalizeLabel = small.NormalizeLabel = true;
        full.StreamingShuffleBufferRows = 300;
        small.StreamingShuffleBufferRows = 40;

        var inMemory = new MlpRegressionEstimator(ml, memory).Fit(data).Model;
        var streamed = new MlpRegressionEstimator(ml, full).Fit(data).Model;
        var smallBuffer = new MlpRegressionEstimator(ml, small).Fit(data).Model;

        TaskData.AssertBitIdentical(TaskData.Parameters(inMemory), TaskData.Parameters(streamed), "streamed weights");
        Assert.Equal(inMemory.Network.OutputOffset, smallBuffer.Network.OutputOffset);
        Assert.Equal(inMemory.Network.OutputScale, smallBuffer.Network.OutputScale);
        Assert.True(smallBuffer.TrainingHistory[^1].TrainingLoss < smallBuffer.TrainingHistory[0].TrainingLoss);
        Assert.True(smallBuffer.TrainingHistory[^1].TrainingLoss < 0.5, $"standardised loss {smallBuffer.TrainingHistory[^1].TrainingLoss}");
    }

    [Fact]
    public void ValidationFractionWithStreamingHoldsOutRowsAndGivesValidationHistory()
    {
        MlpOptions options = Streamed(32, epochs: 4);
        options.ValidationFraction = 0.2f;

        (MlpModelParameters model, List<string> log) = FitLogged(options, Blobs);

        string held = Assert.Single(log, m => m.Contains("Holding out"));
        int heldOut = int.Parse(System.Text.RegularExpressions.Regex.Match(held, @"Holding out (\d+) of").Groups[1].Value);
        Assert.InRange(heldOut, 35, 85); // about 20 % of 300
        Assert.Contains(log, m => m.Contains($"on {Blobs.Count - heldOut} rows (streamed)"));
        Assert.Equal(4, model.TrainingHistory.Count);
        Assert.All(model.TrainingHistory, e =>
        {
            Assert.NotNull(e.ValidationLoss);
            Assert.NotNull(e.ValidationAccuracy);
        });
        Assert.True(model.TrainingHistory[^1].ValidationAccuracy >= 0.8);
    }

    [Fact]
    public void ValidationDataGivenToFitIsUsedWhenStreaming()
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = Streamed(32, epochs: 3);
        var model = new MlpEstimator(ml, options).Fit(Datasets.ToDataView(ml, Blobs), Datasets.ToDataView(ml, Datasets.Blobs(90, seed: 9))).Model;
        Assert.All(model.TrainingHistory, e => Assert.NotNull(e.ValidationAccuracy));
    }

    [Fact]
    public void ATinyInMemoryLimitSwitchesToStreamingAndSaysSo()
    {
        MlpOptions automatic = Streamed(0), tiny = Streamed(0);
        tiny.InMemoryLimitBytes = 1;

        (MlpModelParameters streamed, List<string> log) = FitLogged(tiny, Blobs);
        (MlpModelParameters inMemory, List<string> memoryLog) = FitLogged(automatic, Blobs);

        Assert.Contains(log, m => m.Contains("Streaming the training data") && m.Contains("InMemoryLimitBytes"));
        Assert.Contains(memoryLog, m => m.Contains("Reading the training data into memory"));
        // The automatic buffer (64 MiB of rows) holds all 300 rows: the same weights as in memory.
        Assert.True(BitIdentical(Parameters(inMemory), Parameters(streamed)));
    }

    [Fact]
    public void AStreamedRunCancelledAfterEpochTwoResumesToTheWeightsOfAnUninterruptedRun()
    {
        MlpOptions uninterrupted = Streamed(40, epochs: 5);
        uninterrupted.DropoutRate = 0.1f;
        float[] expected = Parameters(Fit(uninterrupted, Blobs));

        using var cancel = new CancellationTokenSource();
        MlpOptions first = Streamed(40, epochs: 5);
        first.DropoutRate = 0.1f;
        first.CheckpointDirectory = _scratch;
        first.CancellationToken = cancel.Token;
        first.Progress = new CancelAfter(2, cancel);
        Assert.ThrowsAny<OperationCanceledException>(() => Fit(first, Blobs));

        MlpOptions resumed = Streamed(40, epochs: 5);
        resumed.DropoutRate = 0.1f;
        resumed.CheckpointDirectory = _scratch;
        resumed.ResumeFromCheckpoint = true;
        (MlpModelParameters model, List<string> log) = FitLogged(resumed, Blobs);

        Assert.Contains(log, m => m.Contains("after epoch 2"));
        Assert.Equal(Enumerable.Range(1, 5), model.TrainingHistory.Select(e => e.Epoch));
        Assert.True(BitIdentical(expected, Parameters(model)));
    }

    [Fact]
    public void ACheckpointOfAStreamedRunIsRefusedByARunWithAnotherBuffer()
    {
        MlpOptions first = Streamed(40, epochs: 2);
        first.CheckpointDirectory = _scratch;
        Fit(first, Blobs);

        MlpOptions other = Streamed(50, epochs: 3);
        other.CheckpointDirectory = _scratch;
        other.ResumeFromCheckpoint = true;
        Assert.Throws<InvalidOperationException>(() => Fit(other, Blobs));
    }

    [Theory]
    [InlineData(-1, 16)]
    [InlineData(15, 16)]
    [InlineData(1, 200)]
    public void AnInvalidStreamingShuffleBufferRowsIsRejectedNamingTheOption(int bufferRows, int batch)
    {
        var options = new MlpOptions { StreamingShuffleBufferRows = bufferRows, BatchSize = batch };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MlpEstimator(new MLContext(seed: 0), options));
        Assert.Equal(nameof(MlpOptions.StreamingShuffleBufferRows), e.ParamName);
        Assert.Contains("StreamingShuffleBufferRows", e.Message);
    }

    [Fact]
    public void AnInvalidInMemoryLimitBytesIsRejectedNamingTheOption()
    {
        var options = new MlpOptions { InMemoryLimitBytes = 0 };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MlpEstimator(new MLContext(seed: 0), options));
        Assert.Equal(nameof(MlpOptions.InMemoryLimitBytes), e.ParamName);
    }

    /// <summary>Cancels synchronously once the given epoch is reported, so the run stops at the next epoch's first minibatch.</summary>
    private sealed class CancelAfter(int epoch, CancellationTokenSource source) : IProgress<MlpEpochReport>
    {
        public void Report(MlpEpochReport value)
        {
            if (value.Epoch == epoch)
                source.Cancel();
        }
    }
}
