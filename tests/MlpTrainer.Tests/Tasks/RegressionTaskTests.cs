using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Tests.Tasks;

/// <summary>
/// The regression trainer end to end through ML.NET: learning y = √((x₁² + x₂² + x₃²)/3) on [0,1]³, Huber's loss,
/// label standardisation, the catalog, and the label type it requires.
/// </summary>
public class RegressionTaskTests
{
    private const int TrainRows = 1000, TestRows = 300;

    private static MlpOptions RadialOptions() => new()
    {
        HiddenLayerSizes = new[] { 32 },
        Activation = MlpActivation.ReLU,
        Optimizer = MlpOptimizer.Adam,
        LearningRate = 0.01f,
        BatchSize = 32,
        NumberOfEpochs = 100,
        NormalizeLabel = true,
        Seed = 1,
        NumberOfThreads = 1,
    };

    private static RegressionMetrics TrainAndEvaluate(MlpOptions options, double scale = 1, double offset = 0)
    {
        var ml = new MLContext(seed: 0);
        IDataView train = TaskData.Load(ml, TaskData.Radial(TrainRows, seed: 1, scale, offset));
        IDataView test = TaskData.Load(ml, TaskData.Radial(TestRows, seed: 2, scale, offset));
        var model = ml.Regression.Trainers.Mlp(options).Fit(train);
        return ml.Regression.Evaluate(model.Transform(test));
    }

    [Fact]
    public void SquaredErrorLearnsTheRadialFunctionToHeldOutRmseBelow002()
    {
        RegressionMetrics metrics = TrainAndEvaluate(RadialOptions());

        Assert.True(metrics.RootMeanSquaredError < 0.02, $"held-out RMSE {metrics.RootMeanSquaredError:G4}");
    }

    [Fact]
    public void HuberLossLearnsTheRadialFunctionToHeldOutRmseBelow002()
    {
        MlpOptions options = RadialOptions();
        options.RegressionLoss = MlpRegressionLoss.Huber;
        options.HuberDelta = 1f;

        RegressionMetrics metrics = TrainAndEvaluate(options);

        Assert.True(metrics.RootMeanSquaredError < 0.02, $"held-out RMSE {metrics.RootMeanSquaredError:G4}");
    }

    [Fact]
    public void NormalizeLabelLearnsALargeOffsetTargetWithScoresInLabelUnits()
    {
        // y·1000 + 5000: the same function, 1000 times larger and far from 0. RMSE 0.02 becomes 20 label units.
        RegressionMetrics metrics = TrainAndEvaluate(RadialOptions(), scale: 1000, offset: 5000);

        Assert.True(metrics.RootMeanSquaredError < 20, $"held-out RMSE {metrics.RootMeanSquaredError:G4} (label units)");
        Assert.True(metrics.RSquared > 0.99, $"R² {metrics.RSquared:G4}");
    }

    [Fact]
    public void WithoutNormalizeLabelTheLargeOffsetTargetIsLearnedFarWorse()
    {
        MlpOptions normalized = RadialOptions(), raw = RadialOptions();
        raw.NormalizeLabel = false;

        double withScaling = TrainAndEvaluate(normalized, 1000, 5000).RootMeanSquaredError;
        double withoutScaling = TrainAndEvaluate(raw, 1000, 5000).RootMeanSquaredError;

        Assert.True(withoutScaling > 5 * withScaling, $"RMSE {withoutScaling:G4} without NormalizeLabel, {withScaling:G4} with it");
    }

    [Fact]
    public void LabelScalingIsTheTrainingLabelsMeanAndPopulationStandardDeviation()
    {
        var ml = new MLContext(seed: 0);
        RegressionRow[] rows = TaskData.Radial(200, seed: 4, scale: 1000, offset: 5000);
        MlpOptions options = TaskData.SmallOptions(epochs: 2);
        options.NormalizeLabel = true;

        var model = ml.Regression.Trainers.Mlp(options).Fit(TaskData.Load(ml, rows)).Model;

        double mean = rows.Average(r => (double)r.Label);
        double deviation = Math.Sqrt(rows.Average(r => Math.Pow(r.Label - mean, 2)));
        Assert.Equal(mean, model.LabelScaling.Mean, mean * 1e-6);
        Assert.Equal(deviation, model.LabelScaling.StandardDeviation, deviation * 1e-5);
    }

    [Fact]
    public void LabelScalingIsZeroAndOneWithoutNormalizeLabel()
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = TaskData.SmallOptions(epochs: 1);
        options.NormalizeLabel = false;
        var model = ml.Regression.Trainers.Mlp(options)
            .Fit(TaskData.Load(ml, TaskData.Radial(50, seed: 4, scale: 1000, offset: 5000))).Model;

        Assert.Equal((0f, 1f), model.LabelScaling);
    }

    [Fact]
    public void LabelStandardisationCountsARowOfWeightTwoAsTheRowTwice()
    {
        var ml = new MLContext(seed: 0);
        RegressionRow[] weighted = TaskData.Radial(40, seed: 9, scale: 10, offset: 3);
        weighted[0].Weight = 2f;
        weighted[0].Label = 100f;   // far from the others, so counting it once or twice moves the mean and deviation
        RegressionRow[] plain = TaskData.Radial(40, seed: 9, scale: 10, offset: 3);
        plain[0].Label = 100f;
        RegressionRow[] duplicated = plain.Append(plain[0]).ToArray();
        MlpOptions options = TaskData.SmallOptions(epochs: 1);
        options.ExampleWeightColumnName = "Weight";

        var (weightedOffset, weightedScale) = ml.Regression.Trainers.Mlp(options).Fit(TaskData.Load(ml, weighted, withWeight: true)).Model.LabelScaling;
        var (duplicatedOffset, duplicatedScale) = ml.Regression.Trainers.Mlp(options).Fit(TaskData.Load(ml, duplicated, withWeight: true)).Model.LabelScaling;
        var (plainOffset, _) = ml.Regression.Trainers.Mlp(options).Fit(TaskData.Load(ml, plain, withWeight: true)).Model.LabelScaling;

        Assert.Equal(duplicatedOffset, weightedOffset, 1e-4f);
        Assert.Equal(duplicatedScale, weightedScale, 1e-4f);
        Assert.True(Math.Abs(plainOffset - duplicatedOffset) > 0.1f, "Test setup: the duplicate should move the mean.");
    }

    [Fact]
    public void ScoreIsThePredictionInLabelUnitsAndEqualsPredict()
    {
        var ml = new MLContext(seed: 0);
        RegressionRow[] rows = TaskData.Radial(300, seed: 6, scale: 1000, offset: 5000);
        MlpOptions options = TaskData.SmallOptions(epochs: 30);
        options.NormalizeLabel = true;
        var model = ml.Regression.Trainers.Mlp(options).Fit(TaskData.Load(ml, rows));

        float[] scores = TaskData.Floats(model.Transform(TaskData.Load(ml, rows)), "Score");

        // In label units: the scores' mean is near the labels' mean (≈ 5577), not near 0.
        Assert.InRange(scores.Average(), rows.Average(r => r.Label) - 50, rows.Average(r => r.Label) + 50);
        for (int i = 0; i < 10; i++)
            Assert.Equal(model.Model.Predict(rows[i].Features), scores[i]);
    }

    [Fact]
    public void TrainingHistoryLossesAreInStandardisedUnitsWithNormalizeLabel()
    {
        // Documented: with NormalizeLabel the history's losses are in standardised units, so the first epoch's
        // mean squared error is of order 1 although the label's variance is about 60,000.
        var ml = new MLContext(seed: 0);
        MlpOptions options = TaskData.SmallOptions(epochs: 3);
        options.NormalizeLabel = true;

        var model = ml.Regression.Trainers.Mlp(options).Fit(TaskData.Load(ml, TaskData.Radial(300, seed: 6, 1000, 5000))).Model;

        Assert.InRange(model.TrainingHistory[0].TrainingLoss, 0, 3);
    }

    [Fact]
    public void WarmStartWithNormalizeLabelOnTheSameDataContinuesTheHistory()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, TaskData.Radial(200, seed: 4, scale: 1000, offset: 5000));
        MlpOptions options = TaskData.SmallOptions(epochs: 3);
        options.NormalizeLabel = true;
        var first = new MlpRegressionEstimator(ml, options).Fit(data).Model;

        var continued = new MlpRegressionEstimator(ml, options).Fit(data, first).Model;

        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6 }, continued.TrainingHistory.Select(h => h.Epoch).ToArray());
        Assert.Equal(first.LabelScaling, continued.LabelScaling);
        Assert.True(continued.TrainingHistory[^1].TrainingLoss < first.TrainingHistory[^1].TrainingLoss);
    }

    [Fact]
    public void PredictionEngineScoresAsTransformDoes()
    {
        var ml = new MLContext(seed: 0);
        RegressionRow[] rows = TaskData.Radial(200, seed: 8);
        var model = ml.Regression.Trainers.Mlp(TaskData.SmallOptions(epochs: 5)).Fit(TaskData.Load(ml, rows));
        float[] batch = TaskData.Floats(model.Transform(TaskData.Load(ml, rows)), "Score");

        SchemaDefinition schema = SchemaDefinition.Create(typeof(RegressionRow));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3);
        using var engine = ml.Model.CreatePredictionEngine<RegressionRow, RegressionPrediction>(model, inputSchemaDefinition: schema);

        for (int i = 0; i < 20; i++)
            Assert.Equal(batch[i], engine.Predict(rows[i]).Score);
    }

    [Fact]
    public void CatalogShortOverloadPassesItsArgumentsToTheOptions()
    {
        var ml = new MLContext(seed: 0);

        MlpRegressionEstimator trainer = ml.Regression.Trainers.Mlp(labelColumnName: "Target", featureColumnName: "X",
            exampleWeightColumnName: "W", hiddenLayerSizes: new[] { 7, 3 }, activation: MlpActivation.Tanh, learningRate: 0.05f,
            batchSize: 17, numberOfEpochs: 9, normalizeLabel: true, seed: 42);

        MlpOptions o = trainer.Options;
        Assert.Equal(("Target", "X", "W"), (o.LabelColumnName, o.FeatureColumnName, o.ExampleWeightColumnName));
        Assert.Equal(new[] { 7, 3 }, o.HiddenLayerSizes);
        Assert.Equal((MlpActivation.Tanh, 0.05f, 17, 9, true, (int?)42),
            (o.Activation, o.LearningRate, o.BatchSize, o.NumberOfEpochs, o.NormalizeLabel, o.Seed));
    }

    [Fact]
    public void CatalogOptionsOverloadTrainsTheSameModelAsTheConstructor()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, TaskData.Radial(100, seed: 9));

        var fromCatalog = ml.Regression.Trainers.Mlp(TaskData.SmallOptions(epochs: 3)).Fit(data).Model;
        var fromConstructor = new MlpRegressionEstimator(ml, TaskData.SmallOptions(epochs: 3)).Fit(data).Model;

        TaskData.AssertBitIdentical(TaskData.Parameters(fromConstructor), TaskData.Parameters(fromCatalog), "parameter");
    }

    [Fact]
    public void BooleanLabelIsRejectedWithASchemaMismatchNamingTheColumn()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, TaskData.SeparableBinary(50, seed: 1));
        MlpOptions options = TaskData.SmallOptions(epochs: 1);

        Exception e = Assert.ThrowsAny<Exception>(() => ml.Regression.Trainers.Mlp(options).Fit(data));

        Assert.Contains("Schema mismatch for label column 'Label'", e.Message);
        Assert.Contains("Boolean", e.Message);
    }

    [Fact]
    public void OutputSchemaHasOnlyAScalarSingleScore()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, TaskData.Radial(50, seed: 1));
        var model = ml.Regression.Trainers.Mlp(TaskData.SmallOptions(epochs: 1)).Fit(data);

        DataViewSchema schema = model.GetOutputSchema(data.Schema);

        Assert.Equal(NumberDataViewType.Single, schema["Score"].Type);
        Assert.Null(schema.GetColumnOrNull("Probability"));
        Assert.Null(schema.GetColumnOrNull("PredictedLabel"));
    }
}
