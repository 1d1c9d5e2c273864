using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Tests.Tasks;

/// <summary>
/// The binary trainer end to end through ML.NET: what it learns, the meaning of its Score, Probability and
/// PredictedLabel columns, the evaluator, the PredictionEngine, the catalog, and the label type it requires.
/// </summary>
public class BinaryTaskTests
{
    private static readonly Lazy<(MLContext Ml, BinaryRow[] Test, BinaryPredictionTransformer<MlpBinaryModelParameters> Model)> Trained = new(() =>
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = TaskData.SmallOptions(epochs: 40, hidden: new[] { 16 });
        var model = ml.BinaryClassification.Trainers.Mlp(options).Fit(TaskData.Load(ml, TaskData.SeparableBinary(800, seed: 1)));
        return (ml, TaskData.SeparableBinary(400, seed: 2), model);
    });

    private static IDataView ScoredTest()
    {
        var (ml, test, model) = Trained.Value;
        return model.Transform(TaskData.Load(ml, test));
    }

    [Fact]
    public void SeparableSetReachesHeldOutAucOfAtLeast095()
    {
        CalibratedBinaryClassificationMetrics metrics = Trained.Value.Ml.BinaryClassification.Evaluate(ScoredTest());

        Assert.True(metrics.AreaUnderRocCurve >= 0.95, $"held-out AUC {metrics.AreaUnderRocCurve:G4}");
    }

    [Fact]
    public void EvaluatorLogLossIsFiniteAndBelowTheChanceLevel()
    {
        CalibratedBinaryClassificationMetrics metrics = Trained.Value.Ml.BinaryClassification.Evaluate(ScoredTest());

        Assert.True(double.IsFinite(metrics.LogLoss), $"log-loss {metrics.LogLoss}");
        Assert.True(metrics.LogLoss < 0.5, $"log-loss {metrics.LogLoss:G4} (1 bit is chance)");
        Assert.True(metrics.LogLossReduction > 0.5, $"log-loss reduction {metrics.LogLossReduction:G4}");
    }

    [Fact]
    public void ProbabilityIsTheSigmoidOfScore()
    {
        IDataView scored = ScoredTest();
        float[] scores = TaskData.Floats(scored, "Score"), probabilities = TaskData.Floats(scored, "Probability");

        for (int i = 0; i < scores.Length; i++)
        {
            double expected = 1 / (1 + Math.Exp(-(double)scores[i]));
            Assert.True(Math.Abs(probabilities[i] - expected) <= 1e-6, $"row {i}: Score {scores[i]:R}, Probability {probabilities[i]:R}, σ = {expected:R}");
        }
    }

    [Fact]
    public void ScoreIsALogitNotAProbability()
    {
        float[] scores = TaskData.Floats(ScoredTest(), "Score");

        Assert.Contains(scores, s => s < 0);
        Assert.Contains(scores, s => s > 1);
    }

    [Fact]
    public void PredictedLabelIsScoreGreaterThanZero()
    {
        IDataView scored = ScoredTest();
        float[] scores = TaskData.Floats(scored, "Score");
        bool[] predicted = TaskData.Booleans(scored, "PredictedLabel");

        Assert.Equal(scores.Select(s => s > 0).ToArray(), predicted);
        Assert.Contains(true, predicted);
        Assert.Contains(false, predicted);
    }

    [Fact]
    public void ModelPredictScoreAndPredictProbabilityMatchTheColumns()
    {
        var (_, test, model) = Trained.Value;
        IDataView scored = ScoredTest();
        float[] scores = TaskData.Floats(scored, "Score"), probabilities = TaskData.Floats(scored, "Probability");

        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(scores[i], model.Model.PredictScore(test[i].Features));
            Assert.Equal(probabilities[i], model.Model.PredictProbability(test[i].Features));
        }
    }

    [Fact]
    public void PredictionEngineReturnsTheSameScoreProbabilityAndLabelAsTransform()
    {
        var (ml, test, model) = Trained.Value;
        IDataView scored = ScoredTest();
        float[] scores = TaskData.Floats(scored, "Score"), probabilities = TaskData.Floats(scored, "Probability");
        bool[] predicted = TaskData.Booleans(scored, "PredictedLabel");
        SchemaDefinition schema = SchemaDefinition.Create(typeof(BinaryRow));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 4);

        using var engine = ml.Model.CreatePredictionEngine<BinaryRow, BinaryPrediction>(model, inputSchemaDefinition: schema);

        for (int i = 0; i < 30; i++)
        {
            BinaryPrediction p = engine.Predict(test[i]);
            Assert.Equal((scores[i], probabilities[i], predicted[i]), (p.Score, p.Probability, p.PredictedLabel));
        }
    }

    [Fact]
    public void OutputSchemaHasScoreProbabilityAndPredictedLabel()
    {
        var (ml, test, model) = Trained.Value;

        DataViewSchema schema = model.GetOutputSchema(TaskData.Load(ml, test).Schema);

        Assert.Equal(NumberDataViewType.Single, schema["Score"].Type);
        Assert.Equal(NumberDataViewType.Single, schema["Probability"].Type);
        Assert.Equal(BooleanDataViewType.Instance, schema["PredictedLabel"].Type);
    }

    [Fact]
    public void CatalogShortOverloadPassesItsArgumentsToTheOptions()
    {
        var ml = new MLContext(seed: 0);

        MlpBinaryEstimator trainer = ml.BinaryClassification.Trainers.Mlp(labelColumnName: "Target", featureColumnName: "X",
            exampleWeightColumnName: "W", hiddenLayerSizes: new[] { 6 }, activation: MlpActivation.Sigmoid, learningRate: 0.02f,
            batchSize: 13, numberOfEpochs: 4, seed: 8);

        MlpOptions o = trainer.Options;
        Assert.Equal(("Target", "X", "W"), (o.LabelColumnName, o.FeatureColumnName, o.ExampleWeightColumnName));
        Assert.Equal(new[] { 6 }, o.HiddenLayerSizes);
        Assert.Equal((MlpActivation.Sigmoid, 0.02f, 13, 4, (int?)8), (o.Activation, o.LearningRate, o.BatchSize, o.NumberOfEpochs, o.Seed));
    }

    [Fact]
    public void CatalogShortOverloadTrainsOnNamedColumns()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, TaskData.SeparableBinary(200, seed: 3));
        IDataView renamed = ml.Transforms.CopyColumns("Target", "Label").Append(ml.Transforms.CopyColumns("X", "Features"))
            .Append(ml.Transforms.DropColumns("Label", "Features")).Fit(data).Transform(data);

        var model = ml.BinaryClassification.Trainers.Mlp(labelColumnName: "Target", featureColumnName: "X",
            hiddenLayerSizes: new[] { 8 }, learningRate: 0.01f, batchSize: 32, numberOfEpochs: 20, seed: 1).Fit(renamed);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(renamed), labelColumnName: "Target");

        Assert.True(metrics.AreaUnderRocCurve > 0.9, $"training AUC {metrics.AreaUnderRocCurve:G4}");
    }

    [Fact]
    public void CatalogOptionsOverloadTrainsTheSameModelAsTheConstructor()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, TaskData.SeparableBinary(100, seed: 9));

        var fromCatalog = ml.BinaryClassification.Trainers.Mlp(TaskData.SmallOptions(epochs: 3)).Fit(data).Model;
        var fromConstructor = new MlpBinaryEstimator(ml, TaskData.SmallOptions(epochs: 3)).Fit(data).Model;

        TaskData.AssertBitIdentical(TaskData.Parameters(fromConstructor), TaskData.Parameters(fromCatalog), "parameter");
    }

    [Fact]
    public void NonBooleanLabelIsRejectedWithASchemaMismatchNamingTheColumn()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = TaskData.Load(ml, TaskData.Radial(50, seed: 1));
        IDataView renamed = ml.Transforms.CopyColumns("Outcome", "Label").Fit(data).Transform(data);
        MlpOptions options = TaskData.SmallOptions(epochs: 1);
        options.LabelColumnName = "Outcome";

        Exception e = Assert.ThrowsAny<Exception>(() => ml.BinaryClassification.Trainers.Mlp(options).Fit(renamed));

        Assert.Contains("Schema mismatch for label column 'Outcome'", e.Message);
        Assert.Contains("expected Boolean", e.Message);
    }

    [Fact]
    public void ModelHasOneOutputUnit()
    {
        var (_, _, model) = Trained.Value;

        Assert.Equal(new[] { 4, 16, 1 }, model.Model.LayerSizes);
    }
}
