using Microsoft.ML;
using MlpTrainer.Tests.Learning;
using MlpTrainer.Tests.Sparse;

namespace MlpTrainer.Tests.Defaults;

/// <summary>
/// The options left null are chosen from the data (issue 20): a dense first layer keeps scikit-learn's values (one layer
/// of 100, learning rate 0.001, no held-out rows, patience 10); a sparse one (text here: the SpamAssassin sample through
/// <c>FeaturizeText</c>) gets one layer of 32, learning rate 0.005, 10% of the rows held out and patience 3. Values the
/// user sets always win.
/// </summary>
public sealed class AutomaticDefaultsTests
{
    /// <summary>The sample's featurized training and test rows (tens of thousands of sparse slots).</summary>
    private static (MLContext Ml, IDataView Train, IDataView Test) Text()
    {
        (MLContext ml, DataOperationsCatalog.TrainTestData split) = TextClassificationTests.Load();
        ITransformer featurizer = ml.Transforms.Text.FeaturizeText("Features", "Text").Fit(split.TrainSet);
        return (ml, ml.Data.Cache(featurizer.Transform(split.TrainSet)), ml.Data.Cache(featurizer.Transform(split.TestSet)));
    }

    [Fact]
    public void TextWithTheCatalogsDefaultsTrainsANarrowFirstLayerThatStopsOnHeldOutRows()
    {
        (MLContext ml, IDataView train, IDataView test) = Text();

        var model = ml.BinaryClassification.Trainers.Mlp().Fit(train);

        MlpBinaryModelParameters parameters = model.Model;
        Assert.True(parameters.Network.Layout.InputMajorFirstLayer);
        Assert.Equal(32, parameters.LayerSizes[1]);
        Assert.Equal(0.005f, parameters.Settings.LearningRate);
        Assert.All(parameters.TrainingHistory, epoch => Assert.NotNull(epoch.ValidationLoss));
        Assert.True(parameters.EpochsTrained < 50, $"{parameters.EpochsTrained} epochs: early stopping on the held-out rows should end it within a few epochs of its best");
        double auc = ml.BinaryClassification.Evaluate(model.Transform(test)).AreaUnderRocCurve;
        Assert.True(auc > 0.97, $"test AUC {auc:F4}");
    }

    [Fact]
    public void DenseFeaturesWithDefaultOptionsKeepScikitLearnsValues()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = Datasets.ToDataView(ml, Datasets.Blobs(60, seed: 3));

        MlpModelParameters model = new MlpEstimator(ml, new MlpOptions { NumberOfEpochs = 12 }).Fit(data).Model;

        Assert.False(model.Network.Layout.InputMajorFirstLayer);
        Assert.Equal(100, model.LayerSizes[1]);
        Assert.Equal(0.001f, model.Settings.LearningRate);
        Assert.All(model.TrainingHistory, epoch => Assert.Null(epoch.ValidationLoss));
    }

    [Fact]
    public void OptionsTheUserSetsWinOverTheSparseChoice()
    {
        (MLContext ml, IDataView train, _) = Text();
        var options = new MlpOptions { HiddenLayerSizes = new[] { 8 }, LearningRate = 0.01f, ValidationFraction = 0, EarlyStoppingPatience = 0, NumberOfEpochs = 3 };

        MlpBinaryModelParameters model = ml.BinaryClassification.Trainers.Mlp(options).Fit(train).Model;

        Assert.True(model.Network.Layout.InputMajorFirstLayer);
        Assert.Equal(8, model.LayerSizes[1]);
        Assert.Equal(0.01f, model.Settings.LearningRate);
        Assert.Equal(3, model.EpochsTrained);
        Assert.All(model.TrainingHistory, epoch => Assert.Null(epoch.ValidationLoss));
    }

    [Fact]
    public void TheLogNamesEveryValueChosenForASparseFirstLayer()
    {
        (MLContext ml, IDataView train, _) = Text();
        var lines = new List<string>();
        ml.Log += (_, e) => { lock (lines) lines.Add(e.Message); };

        ml.BinaryClassification.Trainers.Mlp(new MlpOptions { NumberOfEpochs = 2 }).Fit(train);

        Assert.Contains(lines, line => line.Contains(
            "For a sparse first layer, the options left to the data: HiddenLayerSizes { 32 }, LearningRate 0.005, ValidationFraction 0.1, EarlyStoppingPatience 3.",
            StringComparison.Ordinal));
    }

    [Fact]
    public void GivenValidationDataTheSparseChoiceHoldsOutNoTrainingRows()
    {
        (MLContext ml, IDataView train, IDataView test) = Text();
        var lines = new List<string>();
        ml.Log += (_, e) => { lock (lines) lines.Add(e.Message); };

        var model = ml.BinaryClassification.Trainers.Mlp(new MlpOptions { NumberOfEpochs = 2 }).Fit(train, test).Model;

        Assert.Contains(lines, line => line.Contains("Validation data was given, so ValidationFraction is not used.", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains("Holding out", StringComparison.Ordinal));
        Assert.All(model.TrainingHistory, epoch => Assert.NotNull(epoch.ValidationLoss));
    }

    [Fact]
    public void ASparseModelTrainedWithAutomaticOptionsContinuesWithThem()
    {
        (MLContext ml, IDataView train, _) = Text();
        var first = ml.BinaryClassification.Trainers.Mlp(new MlpOptions { NumberOfEpochs = 2, Seed = 1 }).Fit(train).Model;

        var second = ml.BinaryClassification.Trainers.Mlp(new MlpOptions { NumberOfEpochs = 1, Seed = 2 }).Fit(train, first).Model;

        Assert.Equal(first.LayerSizes, second.LayerSizes);
        Assert.Equal(first.EpochsTrained + 1, second.EpochsTrained);
    }
}
