using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Data;
using MlpTrainer.Model;
using MlpTrainer.Optimizers;
using MlpTrainer.Training;

namespace MlpTrainer.Tests.Learning;

/// <summary>The trainer learns what it should: problems with known answers, trained end to end from fixed seeds.</summary>
public class LearningTests
{
    private sealed class Prediction
    {
        public uint Label { get; set; }

        public uint PredictedLabel { get; set; }

        public float[] Score { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void LearnsXor()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = Datasets.ToDataView(ml, Datasets.Xor());
        var trainer = new MlpEstimator(ml, new MlpOptions
        {
            HiddenLayerSizes = new[] { 8 },
            Activation = MlpActivation.Tanh,
            Optimizer = MlpOptimizer.Adam,
            LearningRate = 0.05f,
            BatchSize = 4,          // full batch
            NumberOfEpochs = 300,
            Seed = 1,
        });

        var predictions = ml.Data.CreateEnumerable<Prediction>(trainer.Fit(data).Transform(data), reuseRowObject: false).ToList();

        Assert.Equal(4, predictions.Count);
        Assert.All(predictions, p =>
        {
            Assert.Equal(p.Label, p.PredictedLabel);
            Assert.True(p.Score[p.Label - 1] > 0.9f, $"P(true class) = {p.Score[p.Label - 1]}");
        });
    }

    [Fact]
    public void LearnsTertilesOfTheRootMeanSquareOnTheUnitCube()
    {
        // y = √((x₁² + x₂² + x₃²)/3) on [0,1]³, cut at its training tertiles into three classes. The class
        // boundaries are spherical shells, so a linear model cannot do this; one hidden layer can. For seeds 0–5
        // this configuration reached 0.955–0.983 held-out accuracy; seed 0 gives 0.975.
        var ml = new MLContext(seed: 0);
        var (trainX, trainY) = Datasets.RadialPoints(1500, seed: 100);
        double[] cuts = Datasets.Tertiles(trainY);
        var (testX, testY) = Datasets.RadialPoints(600, seed: 200);
        IDataView train = Datasets.ToDataView(ml, Datasets.Bucket(trainX, trainY, cuts));
        IDataView test = Datasets.ToDataView(ml, Datasets.Bucket(testX, testY, cuts));
        var trainer = new MlpEstimator(ml, new MlpOptions
        {
            HiddenLayerSizes = new[] { 32 },
            Activation = MlpActivation.ReLU,
            LearningRate = 0.01f,
            BatchSize = 32,
            NumberOfEpochs = 60,
            Seed = 0,
        });

        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(trainer.Fit(train).Transform(test));

        Assert.True(metrics.MicroAccuracy >= 0.95, $"held-out accuracy {metrics.MicroAccuracy:F4}");
    }

    [Theory]
    [InlineData(new int[0])]     // multinomial logistic regression
    [InlineData(new[] { 16 })]
    public void SeparatesLinearlySeparableClasses(int[] hidden)
    {
        var ml = new MLContext(seed: 2);
        IDataView data = Datasets.ToDataView(ml, Datasets.LinearlySeparable(600, seed: 3));
        var trainer = new MlpEstimator(ml, new MlpOptions
        {
            HiddenLayerSizes = hidden,
            LearningRate = 0.02f,
            BatchSize = 32,
            NumberOfEpochs = 60,
            L2Regularization = 0f,
            Seed = 2,
        });

        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(trainer.Fit(data).Transform(data));

        Assert.True(metrics.MicroAccuracy >= 0.99, $"training accuracy {metrics.MicroAccuracy:F4}");
    }

    public static TheoryData<MlpOptimizer, float, bool, float> Optimizers => new()
    {
        { MlpOptimizer.Sgd, 0f, false, 0.1f },    // plain SGD
        { MlpOptimizer.Sgd, 0.9f, false, 0.02f }, // momentum
        { MlpOptimizer.Sgd, 0.9f, true, 0.02f },  // Nesterov
        { MlpOptimizer.Adam, 0.9f, false, 0.01f },
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void EachOptimizerReducesTheTrainingLoss(MlpOptimizer kind, float momentum, bool nesterov, float learningRate)
    {
        var options = new MlpOptions
        {
            HiddenLayerSizes = new[] { 8 },
            Activation = MlpActivation.Tanh,
            Optimizer = kind,
            Momentum = momentum,
            UseNesterov = nesterov,
            LearningRate = learningRate,
            BatchSize = 16,
            NumberOfEpochs = 20,
        };
        Datasets.Set set = Datasets.Blobs(300, seed: 8);
        var data = new DenseDataset(3, 3);
        for (int i = 0; i < set.Count; i++)
            data.Add(set.Features[i], set.Labels[i]);
        var layout = new NetworkLayout(new[] { 3, 8, 3 });
        var random = new Random(4);
        float[] parameters = WeightInitializer.Initialize(layout, options.Activation, random);
        double before = MeanLoss(layout, options.Activation, parameters, data);

        options.NumberOfThreads = 1;
        using PreparedTraining prepared = PreparedTraining.InMemory(layout, new TrainingData(data, TrainingData.AllRows(data), null, null), options, seed: 4, options.BatchSize);
        var start = new InitialModel(new MlpNetwork(layout, options.Activation, options.LeakyReLUSlope, parameters), Array.Empty<MlpEpochReport>(), 0);
        TrainingOutcome outcome = new TrainingRun(MlpTask.Multiclass, options, new TrainingHost()).Run(prepared, start);
        double after = MeanLoss(layout, options.Activation, outcome.Network.Parameters.ToArray(), data);
        var epochLosses = outcome.History.Select(e => e.TrainingLoss).ToList();

        Assert.Equal(options.NumberOfEpochs, epochLosses.Count);
        Assert.True(after < 0.3 * before, $"mean cross-entropy {before:F4} → {after:F4}");
        Assert.True(epochLosses[^1] < epochLosses[0], $"epoch losses {epochLosses[0]:F4} … {epochLosses[^1]:F4}");
    }

    /// <summary>The mean cross-entropy of the whole data set under <paramref name="parameters"/>.</summary>
    private static double MeanLoss(NetworkLayout layout, MlpActivation activation, float[] parameters, DenseDataset data)
    {
        using var trainer = new BackpropTrainer(layout, activation, 0.01f, data.RowCount, threads: 1);
        data.Gather(Enumerable.Range(0, data.RowCount).ToArray(), trainer.InputBatch, trainer.TargetBatch, trainer.WeightBatch);
        return trainer.ComputeGradients(parameters, data.RowCount) / data.RowCount;
    }
}
