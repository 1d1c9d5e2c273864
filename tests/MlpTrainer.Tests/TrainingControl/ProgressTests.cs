using System.Text.RegularExpressions;
using Microsoft.ML;
using MlpTrainer.Tests.Learning;
using static MlpTrainer.Tests.TrainingControl.TrainingControlData;

namespace MlpTrainer.Tests.TrainingControl;

/// <summary>Per-epoch progress: <see cref="MlpOptions.Progress"/> and the MLContext log.</summary>
public class ProgressTests
{
    private static readonly Datasets.Set Data = Datasets.Blobs(90, seed: 91);

    [Fact]
    public void ProgressReceivesOneReportPerEpochInOrder()
    {
        var ml = new MLContext(seed: 0);
        var progress = new RecordingProgress();
        MlpOptions options = Quick(epochs: 6);
        options.Progress = progress;

        new MlpEstimator(ml, options).Fit(View(ml, Data));

        Assert.Equal(Enumerable.Range(1, 6), progress.Reports.Select(r => r.Epoch));
    }

    [Fact]
    public void ProgressReportsAreTheEntriesOfTheTrainingHistory()
    {
        var ml = new MLContext(seed: 0);
        var progress = new RecordingProgress();
        MlpOptions options = Quick(epochs: 4);
        options.Progress = progress;

        MlpModelParameters model = new MlpEstimator(ml, options).Fit(View(ml, Data), View(ml, Datasets.Blobs(30, seed: 92))).Model;

        Assert.Equal(model.TrainingHistory, progress.Reports);
        Assert.All(progress.Reports, r => Assert.NotNull(r.ValidationLoss));
    }

    [Fact]
    public void ProgressIsReportedOnTheThreadThatCallsFitBeforeFitReturns()
    {
        var ml = new MLContext(seed: 0);
        int reportsWhenFitReturned = -1;
        var progress = new RecordingProgress();
        MlpOptions options = Quick(epochs: 3);
        options.Progress = progress;

        new MlpEstimator(ml, options).Fit(View(ml, Data));
        reportsWhenFitReturned = progress.Reports.Count;

        Assert.Equal(3, reportsWhenFitReturned);
        Assert.Equal(Environment.CurrentManagedThreadId, progress.ThreadId);
    }

    [Fact]
    public void ProgressReportsEachEpochAsItEndsNotAllAtTheEnd()
    {
        // When epoch e is reported, epoch e + 1 has not run yet: the reports interleave with training.
        var ml = new MLContext(seed: 0);
        var seenAtReport = new List<int>();
        RecordingProgress? progress = null;
        progress = new RecordingProgress(r => seenAtReport.Add(progress!.Reports.Count));
        MlpOptions options = Quick(epochs: 4);
        options.Progress = progress;

        new MlpEstimator(ml, options).Fit(View(ml, Data));

        Assert.Equal(new[] { 1, 2, 3, 4 }, seenAtReport);
    }

    [Fact]
    public void TheLogCarriesOneEpochLinePerEpoch()
    {
        var ml = new MLContext(seed: 0);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            lock (messages)
                messages.Add(e.Message);
        };

        new MlpEstimator(ml, Quick(epochs: 5)).Fit(View(ml, Data));

        string[] epochLines;
        lock (messages)
            epochLines = messages.Where(m => Regex.IsMatch(m, @"\bEpoch \d+:")).ToArray();
        Assert.Equal(Enumerable.Range(1, 5), epochLines.Select(m => int.Parse(Regex.Match(m, @"\bEpoch (\d+):").Groups[1].Value)));
        Assert.All(epochLines, m => Assert.Contains("training loss", m));
    }

    [Fact]
    public void TheLogEpochLinesShowTheValidationMetricsWhenThereIsValidationData()
    {
        var ml = new MLContext(seed: 0);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            lock (messages)
                messages.Add(e.Message);
        };

        new MlpEstimator(ml, Quick(epochs: 2)).Fit(View(ml, Data), View(ml, Datasets.Blobs(30, seed: 93)));

        lock (messages)
        {
            string[] epochLines = messages.Where(m => Regex.IsMatch(m, @"\bEpoch \d+:")).ToArray();
            Assert.Equal(2, epochLines.Length);
            Assert.All(epochLines, m => Assert.Contains("validation loss", m));
        }
    }
}
