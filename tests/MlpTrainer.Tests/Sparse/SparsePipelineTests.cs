using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Tests.Sparse;

/// <summary>Sparse features through ML.NET pipelines: the choice of the sparse path, what it learns, its determinism, and its limits.</summary>
public class SparsePipelineTests
{
    private static MlpOptions Options(int? threads = null) => new() { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 20, LearningRate = 0.01f, BatchSize = 32, Seed = 3, NumberOfThreads = threads };

    [Fact]
    public void HashedCategoricalFeaturesTrainOnTheSparsePathAndTheLogSaysWhy()
    {
        var ml = new MLContext(seed: 0);
        IDataView train = ml.Data.LoadFromEnumerable(SparseTableData.Rows(800, seed: 1));

        (_, MlpBinaryModelParameters mlp, List<string> log) = SparseTableData.Fit(ml, train, Options());

        Assert.Contains(log, m => m.Contains("sparse rows and a sparse first layer", StringComparison.Ordinal));
        Assert.Contains(log, m => m.Contains("The model needs about", StringComparison.Ordinal));
        Assert.True(mlp.Network.Layout.InputMajorFirstLayer);
        Assert.Equal(3 * 4096 + 1, mlp.LayerSizes[0]);
    }

    [Fact]
    public void TheSparsePathLearnsPerCategoryWeights()
    {
        var ml = new MLContext(seed: 0);
        IDataView train = ml.Data.LoadFromEnumerable(SparseTableData.Rows(1500, seed: 1));
        IDataView test = ml.Data.LoadFromEnumerable(SparseTableData.Rows(500, seed: 2));

        (ITransformer model, _, _) = SparseTableData.Fit(ml, train, Options());

        double auc = ml.BinaryClassification.EvaluateNonCalibrated(model.Transform(test)).AreaUnderRocCurve;
        Assert.True(auc > 0.95, $"test AUC {auc:F4}");
    }

    [Fact]
    public void SparseFeaturesFalseKeepsTheDenseFirstLayerAndLearnsTheSameTask()
    {
        var ml = new MLContext(seed: 0);
        IDataView train = ml.Data.LoadFromEnumerable(SparseTableData.Rows(1500, seed: 1));
        IDataView test = ml.Data.LoadFromEnumerable(SparseTableData.Rows(500, seed: 2));
        MlpOptions options = Options();
        options.SparseFeatures = false;

        (ITransformer model, MlpBinaryModelParameters mlp, List<string> log) = SparseTableData.Fit(ml, train, options, bits: 8);

        Assert.False(mlp.Network.Layout.InputMajorFirstLayer);
        Assert.Contains(log, m => m.Contains("dense rows and a dense first layer (MlpOptions.SparseFeatures)", StringComparison.Ordinal));
        Assert.True(ml.BinaryClassification.EvaluateNonCalibrated(model.Transform(test)).AreaUnderRocCurve > 0.95);
    }

    [Fact]
    public void SparseTrainingGivesBitIdenticalWeightsOnOneAndTwoThreads()
    {
        var ml = new MLContext(seed: 0);
        IDataView train = ml.Data.LoadFromEnumerable(SparseTableData.Rows(600, seed: 1));

        float[] one = SparseTableData.Fit(ml, train, Options(threads: 1)).Mlp.Network.Parameters.ToArray();
        float[] two = SparseTableData.Fit(ml, train, Options(threads: 2)).Mlp.Network.Parameters.ToArray();

        Assert.Equal(one, two);
    }

    [Fact]
    public void AModelTooLargeForMemoryFailsBeforeReadingTheDataWithSizesAndWaysOut()
    {
        var ml = new MLContext(seed: 0);
        IDataView train = ml.Data.LoadFromEnumerable(SparseTableData.Rows(100, seed: 1));

        var e = Assert.Throws<InvalidOperationException>(() => SparseTableData.Fit(ml, train, new MlpOptions { HiddenLayerSizes = new[] { 100 } }, bits: 29));

        Assert.Contains("does not fit in memory", e.Message);
        Assert.Contains("1,610,612,737 × 100 weights", e.Message);
        Assert.Contains("fewer hash bits", e.Message);
        Assert.Contains("HiddenLayerSizes[0]", e.Message);
    }

    [Fact]
    public void EarlyStoppingRestoresExactlyTheBestEpochsSparseWeights()
    {
        var ml = new MLContext(seed: 0);
        IDataView train = ml.Data.LoadFromEnumerable(SparseTableData.Rows(300, seed: 1));
        MlpOptions stopping = Options();
        (stopping.NumberOfEpochs, stopping.EarlyStoppingPatience, stopping.ValidationFraction, stopping.LearningRate) = (60, 2, 0.3f, 0.05f);

        MlpBinaryModelParameters stopped = SparseTableData.Fit(ml, train, stopping).Mlp;
        int best = stopped.TrainingHistory.OrderBy(h => h.ValidationLoss).First().Epoch;
        Assert.True(best < stopped.TrainingHistory.Count, $"Test setup: training should stop after its best epoch {best} (ran {stopped.TrainingHistory.Count}).");

        MlpOptions exact = Options();
        (exact.NumberOfEpochs, exact.EarlyStoppingPatience, exact.ValidationFraction, exact.LearningRate) = (best, 0, 0.3f, 0.05f);
        MlpBinaryModelParameters trainedToBest = SparseTableData.Fit(new MLContext(seed: 0), train, exact).Mlp;

        Assert.Equal(trainedToBest.Network.Parameters.ToArray(), stopped.Network.Parameters.ToArray());
    }

    [Fact]
    public void AnInterruptedSparseRunWithEarlyStoppingResumesToTheUninterruptedRunsBestWeights()
    {
        // The checkpoint after epoch best + 1 carries a best epoch whose first-layer rows the lazy steps since have
        // changed: the saved rows must be in it, and the resumed run must restore them at its end.
        using var scratch = new TrainingControl.ScratchFolder();
        var ml = new MLContext(seed: 0);
        IDataView train = ml.Data.LoadFromEnumerable(SparseTableData.Rows(300, seed: 1));
        MlpOptions Stopping(string directory)
        {
            MlpOptions o = Options();
            (o.NumberOfEpochs, o.EarlyStoppingPatience, o.ValidationFraction, o.LearningRate) = (60, 2, 0.3f, 0.05f);
            (o.CheckpointDirectory, o.ResumeFromCheckpoint) = (scratch.Sub(directory), true);
            return o;
        }
        MlpBinaryModelParameters uninterrupted = SparseTableData.Fit(new MLContext(seed: 0), train, Stopping("uninterrupted")).Mlp;
        int best = uninterrupted.TrainingHistory.OrderBy(h => h.ValidationLoss).First().Epoch;
        Assert.True(best + 1 < uninterrupted.TrainingHistory.Count, $"Test setup: the best epoch {best} should be followed by two more (ran {uninterrupted.TrainingHistory.Count}).");

        using var cancel = new CancellationTokenSource();
        MlpOptions interrupted = Stopping("interrupted");
        interrupted.CancellationToken = cancel.Token;
        interrupted.Progress = new TrainingControl.RecordingProgress(r =>
        {
            if (r.Epoch == best + 1)
                cancel.Cancel();
        });
        Assert.ThrowsAny<OperationCanceledException>(() => SparseTableData.Fit(new MLContext(seed: 0), train, interrupted));
        MlpBinaryModelParameters resumed = SparseTableData.Fit(new MLContext(seed: 0), train, Stopping("interrupted")).Mlp;

        Assert.Equal(uninterrupted.TrainingHistory.Count, resumed.TrainingHistory.Count);
        Assert.Equal(uninterrupted.Network.Parameters.ToArray(), resumed.Network.Parameters.ToArray());
    }

    [Fact]
    public void PredictBatchOnTheFeaturesAsSparseRowsGivesTheScoresTransformGives()
    {
        var ml = new MLContext(seed: 0);
        IDataView train = ml.Data.LoadFromEnumerable(SparseTableData.Rows(600, seed: 1));
        IDataView test = ml.Data.LoadFromEnumerable(SparseTableData.Rows(200, seed: 2));
        (ITransformer model, MlpBinaryModelParameters mlp, _) = SparseTableData.Fit(ml, train, Options());
        IDataView scored = model.Transform(test);

        // The features as a user holds them after featurizing: each row's non-zeros, one row after another.
        var starts = new List<int> { 0 };
        var indices = new List<int>();
        var values = new List<float>();
        foreach (VBuffer<float> row in scored.GetColumn<VBuffer<float>>("Features"))
        {
            foreach (var (index, value) in row.Items())
            {
                indices.Add(index);
                values.Add(value);
            }
            starts.Add(indices.Count);
        }
        var logits = new float[starts.Count - 1];

        int rows = mlp.PredictBatch(starts.ToArray(), indices.ToArray(), values.ToArray(), logits, numberOfThreads: 2);

        float[] expected = scored.GetColumn<float>("Score").ToArray();
        Assert.Equal(200, rows);
        for (int r = 0; r < rows; r++)
            Assert.True(Math.Abs(expected[r] - logits[r]) <= 1e-4f * Math.Max(1f, Math.Abs(expected[r])), $"row {r}: Transform {expected[r]}, PredictBatch {logits[r]}");
    }
}
