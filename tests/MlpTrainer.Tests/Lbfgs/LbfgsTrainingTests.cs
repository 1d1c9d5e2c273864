using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Tests.Learning;
using MlpTrainer.Tests.Tasks;

namespace MlpTrainer.Tests.Lbfgs;

/// <summary>MlpOptimizer.Lbfgs: full-batch L-BFGS through ML.NET's optimizer.</summary>
public class LbfgsTrainingTests
{
    private static MlpOptions Lbfgs(int iterations = 100, int threads = 1) => new()
    {
        HiddenLayerSizes = new[] { 16 },
        Activation = MlpActivation.Tanh,
        Optimizer = MlpOptimizer.Lbfgs,
        NumberOfEpochs = iterations,
        Seed = 5,
        NumberOfThreads = threads,
    };

    [Fact]
    public void FitsTheRadialRegressionBetterThanPredictingTheMean()
    {
        var ml = new MLContext(seed: 0);
        IDataView train = TaskData.Load(ml, TaskData.Radial(400, seed: 1));
        IDataView test = TaskData.Load(ml, TaskData.Radial(200, seed: 2));

        RegressionMetrics metrics = ml.Regression.Evaluate(ml.Regression.Trainers.Mlp(Lbfgs()).Fit(train).Transform(test));

        Assert.True(metrics.RSquared > 0.95, $"held-out R² {metrics.RSquared:F4}");
    }

    [Fact]
    public void SeparatesTheBlobsOfAMulticlassProblem()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = Datasets.ToDataView(ml, Datasets.LinearlySeparable(300, seed: 3));

        var metrics = ml.MulticlassClassification.Evaluate(new MlpEstimator(ml, Lbfgs(50)).Fit(data).Transform(data));

        Assert.True(metrics.MicroAccuracy >= 0.99, $"training accuracy {metrics.MicroAccuracy:F4}");
    }

    [Fact]
    public void RecordsOneHistoryEntryPerIterationUpToNumberOfEpochs()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, TaskData.Radial(200, seed: 1));

        var model = ml.Regression.Trainers.Mlp(Lbfgs(iterations: 7)).Fit(data).Model;

        Assert.Equal(Enumerable.Range(1, 7), model.TrainingHistory.Select(e => e.Epoch));
        Assert.True(model.TrainingHistory[^1].TrainingLoss < model.TrainingHistory[0].TrainingLoss,
            $"loss {model.TrainingHistory[0].TrainingLoss} → {model.TrainingHistory[^1].TrainingLoss}");
    }

    [Fact]
    public void GivesBitIdenticalWeightsOnOneAndTwoThreads()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, TaskData.Radial(300, seed: 4));

        float[] one = TaskData.Parameters(ml.Regression.Trainers.Mlp(Lbfgs(30, threads: 1)).Fit(data).Model);
        float[] two = TaskData.Parameters(ml.Regression.Trainers.Mlp(Lbfgs(30, threads: 2)).Fit(data).Model);

        Assert.Equal(one, two);
    }

    [Fact]
    public void StopsWithOperationCanceledWhenTheTokenIsCancelled()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, TaskData.Radial(200, seed: 1));
        using var cancel = new CancellationTokenSource();
        MlpOptions options = Lbfgs(1000);
        options.CancellationToken = cancel.Token;
        options.Progress = new SynchronousProgress(report => { if (report.Epoch == 3) cancel.Cancel(); });

        Assert.ThrowsAny<OperationCanceledException>(() => ml.Regression.Trainers.Mlp(options).Fit(data));
    }

    [Fact]
    public void ARowOfWeightTwoTrainsAsTheRowDuplicated()
    {
        var ml = new MLContext(seed: 0);
        BinaryRow[] weighted = TaskData.SeparableBinary(40, seed: 21);
        weighted[7].Weight = 2f;
        BinaryRow[] plain = TaskData.SeparableBinary(40, seed: 21);
        BinaryRow[] duplicated = plain.Take(8).Append(plain[7]).Concat(plain.Skip(8)).ToArray();
        MlpOptions options = Lbfgs(iterations: 10);
        options.ExampleWeightColumnName = "Weight";

        float[] a = TaskData.Parameters(ml.BinaryClassification.Trainers.Mlp(options).Fit(TaskData.Load(ml, weighted, withWeight: true)).Model);
        float[] b = TaskData.Parameters(ml.BinaryClassification.Trainers.Mlp(options).Fit(TaskData.Load(ml, duplicated, withWeight: true)).Model);
        float[] c = TaskData.Parameters(ml.BinaryClassification.Trainers.Mlp(options).Fit(TaskData.Load(ml, plain, withWeight: true)).Model);

        Assert.True(TaskData.MaxRelativeDifference(a, b) <= 1e-4, $"weight 2 vs duplicated: {TaskData.MaxRelativeDifference(a, b):G3}");
        Assert.True(TaskData.MaxRelativeDifference(c, b) > 1e-2, "Test setup: the duplicate should change the fit.");
    }

    [Fact]
    public void TrainsTheWeightsOfASparseFirstLayer()
    {
        // A sparse (input-major) first layer's gradient arrives as rows of the touched slots and is scattered into the
        // full-batch gradient: if it were lost, its weights would not move between iterations.
        var ml = new MLContext(seed: 0);
        IDataView data = Datasets.ToDataView(ml, Datasets.LinearlySeparable(300, seed: 3));
        MlpOptions early = Lbfgs(2), late = Lbfgs(30);
        early.SparseFeatures = late.SparseFeatures = true;

        var after2 = new MlpEstimator(ml, early).Fit(data);
        var after30 = new MlpEstimator(ml, late).Fit(data);
        var metrics = ml.MulticlassClassification.Evaluate(after30.Transform(data));

        Assert.True(MlpTrainer.Tests.SparseModels.InputMajorNetworks.NetworkOf(after30).Layout.InputMajorFirstLayer, "Test setup: the first layer should be sparse.");
        Assert.NotEqual(after2.Model.GetWeights(0).ToArray(), after30.Model.GetWeights(0).ToArray());
        Assert.True(metrics.MicroAccuracy >= 0.99, $"training accuracy {metrics.MicroAccuracy:F4}");
    }

    [Fact]
    public void TrainsOnStreamedRows()
    {
        var ml = new MLContext(seed: 0);
        IDataView train = TaskData.Load(ml, TaskData.Radial(400, seed: 1));
        IDataView test = TaskData.Load(ml, TaskData.Radial(200, seed: 2));
        MlpOptions options = Lbfgs();
        options.StreamingShuffleBufferRows = 250;

        RegressionMetrics metrics = ml.Regression.Evaluate(ml.Regression.Trainers.Mlp(options).Fit(train).Transform(test));

        Assert.True(metrics.RSquared > 0.95, $"held-out R² {metrics.RSquared:F4}");
    }

    [Theory]
    [InlineData(nameof(MlpOptions.DropoutRate))]
    [InlineData(nameof(MlpOptions.LearningRateSchedule))]
    [InlineData(nameof(MlpOptions.CheckpointDirectory))]
    public void RefusesOptionsThatMeanNothingWithAFullBatchLineSearch(string option)
    {
        MlpOptions options = Lbfgs();
        switch (option)
        {
            case nameof(MlpOptions.DropoutRate): options.DropoutRate = 0.2f; break;
            case nameof(MlpOptions.LearningRateSchedule): options.LearningRateSchedule = MlpLearningRateSchedule.Cosine; break;
            default: options.CheckpointDirectory = "checkpoints"; break;
        }

        var error = Assert.ThrowsAny<ArgumentException>(() => new MlpEstimator(new MLContext(), options));

        Assert.Equal(option, error.ParamName);
    }

    private sealed class SynchronousProgress(Action<MlpEpochReport> report) : IProgress<MlpEpochReport>
    {
        public void Report(MlpEpochReport value) => report(value);
    }
}
