using System.Reflection;
using Microsoft.ML;
using MlpTrainer.Tests.Learning;
using MlpTrainer.Training;

namespace MlpTrainer.Tests.Options;

/// <summary>
/// Every option is checked when the estimator is created and again when it is fitted; an out-of-range value
/// is an ArgumentOutOfRangeException whose ParamName and message name the option.
/// </summary>
public class MlpOptionsValidationTests
{
    /// <summary>Each case's name starts with the option it makes invalid.</summary>
    private static readonly Dictionary<string, Action<MlpOptions>> InvalidCases = new()
    {
        ["HiddenLayerSizes = { 0 }"] = o => o.HiddenLayerSizes = new[] { 0 },
        ["HiddenLayerSizes = { -3 }"] = o => o.HiddenLayerSizes = new[] { -3 },
        ["HiddenLayerSizes = { 8, 0 }"] = o => o.HiddenLayerSizes = new[] { 8, 0 },
        ["HiddenLayerSizes = { 1000001 }"] = o => o.HiddenLayerSizes = new[] { 1_000_001 },
        ["Activation = 99"] = o => o.Activation = (MlpActivation)99,
        ["LeakyReLUSlope = -0.1"] = o => o.LeakyReLUSlope = -0.1f,
        ["LeakyReLUSlope = 1.5"] = o => o.LeakyReLUSlope = 1.5f,
        ["LeakyReLUSlope = NaN"] = o => o.LeakyReLUSlope = float.NaN,
        ["Optimizer = 7"] = o => o.Optimizer = (MlpOptimizer)7,
        ["LearningRate = 0"] = o => o.LearningRate = 0f,
        ["LearningRate = -0.01"] = o => o.LearningRate = -0.01f,
        ["LearningRate = NaN"] = o => o.LearningRate = float.NaN,
        ["LearningRate = +Infinity"] = o => o.LearningRate = float.PositiveInfinity,
        ["Momentum = 1"] = o => o.Momentum = 1f,
        ["Momentum = -0.1"] = o => o.Momentum = -0.1f,
        ["Momentum = NaN"] = o => o.Momentum = float.NaN,
        ["Beta1 = 1"] = o => o.Beta1 = 1f,
        ["Beta1 = -0.5"] = o => o.Beta1 = -0.5f,
        ["Beta2 = 1"] = o => o.Beta2 = 1f,
        ["Beta2 = NaN"] = o => o.Beta2 = float.NaN,
        ["Epsilon = 0"] = o => o.Epsilon = 0f,
        ["Epsilon = -1e-8"] = o => o.Epsilon = -1e-8f,
        ["Epsilon = +Infinity"] = o => o.Epsilon = float.PositiveInfinity,
        ["BatchSize = 0"] = o => o.BatchSize = 0,
        ["BatchSize = -1"] = o => o.BatchSize = -1,
        ["BatchSize = 1000001"] = o => o.BatchSize = 1_000_001,
        ["NumberOfEpochs = 0"] = o => o.NumberOfEpochs = 0,
        ["NumberOfEpochs = -5"] = o => o.NumberOfEpochs = -5,
        ["L2Regularization = -0.0001"] = o => o.L2Regularization = -1e-4f,
        ["L2Regularization = NaN"] = o => o.L2Regularization = float.NaN,
        ["L2Regularization = +Infinity"] = o => o.L2Regularization = float.PositiveInfinity,
        ["NumberOfThreads = 0"] = o => o.NumberOfThreads = 0,
        ["NumberOfThreads = 257"] = o => o.NumberOfThreads = 257,
    };

    private static readonly Dictionary<string, Action<MlpOptions>> BoundaryCases = new()
    {
        ["HiddenLayerSizes = { } (no hidden layer)"] = o => o.HiddenLayerSizes = Array.Empty<int>(),
        ["HiddenLayerSizes = { 1, 1 }"] = o => o.HiddenLayerSizes = new[] { 1, 1 },
        ["LeakyReLUSlope = 0"] = o => o.LeakyReLUSlope = 0f,
        ["LeakyReLUSlope = 1"] = o => o.LeakyReLUSlope = 1f,
        ["LearningRate = 1e-30"] = o => o.LearningRate = 1e-30f,
        ["Momentum = 0"] = o => o.Momentum = 0f,
        ["Momentum = 0.999"] = o => o.Momentum = 0.999f,
        ["Beta1 = 0, Beta2 = 0"] = o => { o.Beta1 = 0f; o.Beta2 = 0f; },
        ["BatchSize = 1"] = o => o.BatchSize = 1,
        ["BatchSize = 1000000"] = o => o.BatchSize = 1_000_000,
        ["NumberOfEpochs = 1"] = o => o.NumberOfEpochs = 1,
        ["L2Regularization = 0"] = o => o.L2Regularization = 0f,
        ["NumberOfThreads = 1"] = o => o.NumberOfThreads = 1,
        ["NumberOfThreads = 256"] = o => o.NumberOfThreads = 256,
        ["Seed = -1"] = o => o.Seed = -1,
    };

    public static TheoryData<string> InvalidCaseNames => new(InvalidCases.Keys);

    public static TheoryData<string> BoundaryCaseNames => new(BoundaryCases.Keys);

    private static string OptionOf(string caseName) => caseName.Split(' ')[0];

    private static MlpOptions With(Action<MlpOptions> change)
    {
        var options = new MlpOptions { HiddenLayerSizes = new[] { 4 }, NumberOfEpochs = 2, BatchSize = 16, Seed = 0 };
        change(options);
        return options;
    }

    [Theory]
    [MemberData(nameof(InvalidCaseNames))]
    public void ConstructorRejectsAnOutOfRangeOptionNamingIt(string invalidCase)
    {
        MlpOptions options = With(InvalidCases[invalidCase]);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new MlpEstimator(new MLContext(seed: 0), options));

        Assert.Equal(OptionOf(invalidCase), ex.ParamName);
        Assert.Contains("MlpOptions." + OptionOf(invalidCase), ex.Message);
    }

    [Theory]
    [MemberData(nameof(InvalidCaseNames))]
    public void CatalogRejectsAnOutOfRangeOptionNamingIt(string invalidCase)
    {
        MlpOptions options = With(InvalidCases[invalidCase]);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext(seed: 0).MulticlassClassification.Trainers.Mlp(options));

        Assert.Equal(OptionOf(invalidCase), ex.ParamName);
    }

    [Theory]
    [InlineData("LearningRate = NaN")]
    [InlineData("BatchSize = 0")]
    [InlineData("NumberOfEpochs = 0")]
    [InlineData("Momentum = 1")]
    [InlineData("HiddenLayerSizes = { 8, 0 }")]
    public void FitRejectsOptionsThatBecameInvalidAfterConstruction(string invalidCase)
    {
        // The estimator keeps a private copy of its options, so only reflection can change it after construction;
        // Fit must still check it rather than trust the constructor's check.
        var ml = new MLContext(seed: 0);
        var estimator = new MlpEstimator(ml, With(_ => { }));
        FieldInfo field = Hierarchy(typeof(MlpEstimator)).SelectMany(t => t.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Single(f => f.FieldType == typeof(MlpOptions));
        InvalidCases[invalidCase]((MlpOptions)field.GetValue(estimator)!);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(Datasets.ToDataView(ml, Datasets.Blobs(30, seed: 1))));

        Assert.Equal(OptionOf(invalidCase), ex.ParamName);
    }

    [Fact]
    public void ChangingTheCallersOptionsAfterConstructionHasNoEffect()
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = With(o => o.HiddenLayerSizes = new[] { 5 });
        var estimator = new MlpEstimator(ml, options);

        options.HiddenLayerSizes![0] = 0;
        options.LearningRate = float.NaN;
        options.NumberOfEpochs = 0;
        MlpModelParameters model = estimator.Fit(Datasets.ToDataView(ml, Datasets.Blobs(30, seed: 1))).Model;

        Assert.Equal(new[] { 3, 5, 3 }, model.LayerSizes);
        Assert.Equal(2, model.EpochsTrained);
        Assert.Null(estimator.Options.LearningRate);
    }

    [Fact]
    public void OptionsPropertyReturnsACopy()
    {
        var estimator = new MlpEstimator(new MLContext(seed: 0), With(o => o.HiddenLayerSizes = new[] { 5 }));

        MlpOptions copy = estimator.Options;
        copy.HiddenLayerSizes![0] = 0;
        copy.BatchSize = 0;

        Assert.Equal(new[] { 5 }, estimator.Options.HiddenLayerSizes);
        Assert.Equal(16, estimator.Options.BatchSize);
    }

    [Theory]
    [MemberData(nameof(BoundaryCaseNames))]
    public void BoundaryValuesAreAccepted(string boundaryCase)
    {
        var estimator = new MlpEstimator(new MLContext(seed: 0), With(BoundaryCases[boundaryCase]));
        Assert.NotNull(estimator);
    }

    [Fact]
    public void SmallestSettingsStillTrain()
    {
        var ml = new MLContext(seed: 0);
        var options = new MlpOptions
        {
            HiddenLayerSizes = Array.Empty<int>(), BatchSize = 1, NumberOfEpochs = 1, Optimizer = MlpOptimizer.Sgd,
            Momentum = 0f, L2Regularization = 0f, NumberOfThreads = 1, Seed = 0,
        };

        MlpModelParameters model = new MlpEstimator(ml, options).Fit(Datasets.ToDataView(ml, Datasets.Blobs(30, seed: 1))).Model;

        Assert.Equal(new[] { 3, 3 }, model.LayerSizes);
        Assert.All(model.GetWeights(0).ToArray(), w => Assert.True(float.IsFinite(w)));
    }

    [Theory]
    [InlineData(nameof(MlpOptions.LabelColumnName), null)]
    [InlineData(nameof(MlpOptions.LabelColumnName), "")]
    [InlineData(nameof(MlpOptions.LabelColumnName), "  ")]
    [InlineData(nameof(MlpOptions.FeatureColumnName), null)]
    [InlineData(nameof(MlpOptions.FeatureColumnName), "")]
    public void BlankColumnNameIsRejectedNamingTheOption(string option, string? value)
    {
        MlpOptions options = With(o =>
        {
            if (option == nameof(MlpOptions.LabelColumnName))
                o.LabelColumnName = value!;
            else
                o.FeatureColumnName = value!;
        });

        var ex = Assert.Throws<ArgumentNullException>(() => new MlpEstimator(new MLContext(seed: 0), options));

        Assert.Equal(option, ex.ParamName);
    }

    [Fact]
    public void NullArgumentsAreRejected()
    {
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new MlpEstimator(new MLContext(seed: 0), null!)).ParamName);
        Assert.Equal("mlContext", Assert.Throws<ArgumentNullException>(() => new MlpEstimator(null!, new MlpOptions())).ParamName);
        Assert.Throws<ArgumentNullException>(() => new MLContext(seed: 0).MulticlassClassification.Trainers.Mlp((MlpOptions)null!));
    }

    [Fact]
    public void DefaultsAreScikitLearnsMlpClassifierDefaultsButForTheOnesMadeForSmallTables()
    {
        var options = new MlpOptions();

        Assert.Equal("Label", options.LabelColumnName);
        Assert.Equal("Features", options.FeatureColumnName);
        Assert.Null(options.HiddenLayerSizes);             // chosen from the data: { 100 } for dense features
        Assert.Equal(new[] { 100 }, AutomaticDefaults.Dense.HiddenLayerSizes);
        Assert.Equal(MlpActivation.ReLU, options.Activation);
        Assert.Equal(0.01f, options.LeakyReLUSlope);
        Assert.Equal(MlpOptimizer.Adam, options.Optimizer);
        Assert.Null(options.LearningRate);                 // chosen from the data: 0.001 for dense features
        Assert.Equal(0.001f, AutomaticDefaults.Dense.LearningRate);
        Assert.Equal(0.9f, options.Momentum);
        Assert.True(options.UseNesterov);
        Assert.Equal(0.9f, options.Beta1);
        Assert.Equal(0.999f, options.Beta2);
        Assert.Equal(1e-8f, options.Epsilon);
        Assert.Equal(200, options.BatchSize);
        Assert.Equal(200, options.NumberOfEpochs);
        Assert.Equal(1e-3f, options.L2Regularization);  // not batch-scaled as scikit-learn's alpha; 1e-3 measured on its small tables
        Assert.Null(options.NormalizeLabel);               // on for regression
        Assert.Null(options.EarlyStoppingPatience);        // chosen from the data: 10 for dense features, scikit-learn's n_iter_no_change
        Assert.Equal(10, AutomaticDefaults.Dense.EarlyStoppingPatience);
        Assert.Null(options.ValidationFraction);           // chosen from the data: none held out for dense features
        Assert.Equal(0f, AutomaticDefaults.Dense.ValidationFraction);
        Assert.Equal(1e-4, options.EarlyStoppingTolerance);
        Assert.True(options.Shuffle);
        Assert.Null(options.Seed);
        Assert.Null(options.NumberOfThreads);
    }

    [Fact]
    public void CatalogOverloadPassesItsArgumentsThrough()
    {
        MlpEstimator estimator = new MLContext(seed: 0).MulticlassClassification.Trainers.Mlp(
            labelColumnName: "Y", featureColumnName: "X", hiddenLayerSizes: new[] { 7, 3 }, activation: MlpActivation.Tanh,
            optimizer: MlpOptimizer.Sgd, learningRate: 0.05f, batchSize: 10, numberOfEpochs: 11, l2Regularization: 0.5f, seed: 9);

        MlpOptions o = estimator.Options;
        Assert.Equal(("Y", "X"), (o.LabelColumnName, o.FeatureColumnName));
        Assert.Equal(new[] { 7, 3 }, o.HiddenLayerSizes);
        Assert.Equal((MlpActivation.Tanh, MlpOptimizer.Sgd), (o.Activation, o.Optimizer));
        Assert.Equal((0.05f, 10, 11, 0.5f, (int?)9), (o.LearningRate, o.BatchSize, o.NumberOfEpochs, o.L2Regularization, o.Seed));
    }

    [Fact]
    public void CatalogOverloadDefaultsMatchMlpOptionsDefaults()
    {
        MlpOptions fromCatalog = new MLContext(seed: 0).MulticlassClassification.Trainers.Mlp().Options;
        var defaults = new MlpOptions();

        foreach (FieldInfo field in typeof(MlpOptions).GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            object? expected = field.GetValue(defaults), actual = field.GetValue(fromCatalog);
            if (expected is int[] array)
                Assert.Equal(array, (int[])actual!);
            else
                Assert.True(Equals(expected, actual), $"{field.Name}: catalog default {actual}, MlpOptions default {expected}");
        }
    }

    private static IEnumerable<Type> Hierarchy(Type? type)
    {
        for (; type is not null; type = type.BaseType)
            yield return type;
    }
}
