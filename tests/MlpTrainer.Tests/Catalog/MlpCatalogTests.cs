using System.Reflection;
using Microsoft.ML;

namespace MlpTrainer.Tests.Catalog;

/// <summary>The short <c>Mlp(...)</c> overloads of the three catalogs take the same common parameters, in the same order, and pass each through.</summary>
public sealed class MlpCatalogTests
{
    private static readonly MLContext Ml = new(seed: 0);

    /// <summary>The overload with parameters (not the one taking <see cref="MlpOptions"/>) of the catalog of <paramref name="task"/>.</summary>
    private static MethodInfo ShortOverload(string task)
    {
        Type catalog = task switch
        {
            "multiclass" => typeof(MulticlassClassificationCatalog.MulticlassClassificationTrainers),
            "binary" => typeof(BinaryClassificationCatalog.BinaryClassificationTrainers),
            _ => typeof(RegressionCatalog.RegressionTrainers),
        };
        return typeof(MlpCatalog).GetMethods().Single(m => m.Name == nameof(MlpCatalog.Mlp) && m.GetParameters()[0].ParameterType == catalog
                                                            && m.GetParameters().All(p => p.ParameterType != typeof(MlpOptions)));
    }

    private static string[] Signature(MethodInfo method, params string[] leaveOut)
        => method.GetParameters().Skip(1).Where(p => !leaveOut.Contains(p.Name))
            .Select(p => $"{p.ParameterType.Name} {p.Name} = {p.DefaultValue ?? "null"}").ToArray();

    [Fact]
    public void Binary_and_multiclass_take_the_same_parameters()
        => Assert.Equal(Signature(ShortOverload("multiclass")), Signature(ShortOverload("binary")));

    [Fact]
    public void Regression_takes_the_same_parameters_and_normalizeLabel_before_the_seed()
    {
        Assert.Equal(Signature(ShortOverload("multiclass")), Signature(ShortOverload("regression"), "normalizeLabel"));
        ParameterInfo normalizeLabel = ShortOverload("regression").GetParameters()[^2];
        Assert.Equal(("normalizeLabel", typeof(bool?), null), (normalizeLabel.Name, normalizeLabel.ParameterType, normalizeLabel.DefaultValue));
    }

    [Fact]
    public void The_common_parameters_come_in_MlNet_order_label_features_weight_first()
        => Assert.Equal(new[] { "labelColumnName", "featureColumnName", "exampleWeightColumnName", "hiddenLayerSizes", "activation", "optimizer",
                "learningRate", "batchSize", "numberOfEpochs", "l2Regularization", "seed" },
            ShortOverload("multiclass").GetParameters().Skip(1).Select(p => p.Name));

    public static TheoryData<string> Tasks => new() { "multiclass", "binary", "regression" };

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Every_common_argument_reaches_the_options(string task)
    {
        MlpOptions o = Create(task, "Y", "X", "W", new[] { 7, 3 }, MlpActivation.Tanh, MlpOptimizer.Sgd, 0.05f, 10, 11, 0.5f, 9);

        Assert.Equal(("Y", "X", "W"), (o.LabelColumnName, o.FeatureColumnName, o.ExampleWeightColumnName));
        Assert.Equal(new[] { 7, 3 }, o.HiddenLayerSizes);
        Assert.Equal((MlpActivation.Tanh, MlpOptimizer.Sgd), (o.Activation, o.Optimizer));
        Assert.Equal((0.05f, 10, 11, 0.5f, (int?)9), (o.LearningRate, o.BatchSize, o.NumberOfEpochs, o.L2Regularization, o.Seed));
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Without_arguments_every_option_keeps_its_MlpOptions_default(string task)
    {
        MlpOptions fromCatalog = task switch
        {
            "multiclass" => Ml.MulticlassClassification.Trainers.Mlp().Options,
            "binary" => Ml.BinaryClassification.Trainers.Mlp().Options,
            _ => Ml.Regression.Trainers.Mlp().Options,
        };
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

    [Fact]
    public void Regression_passes_normalizeLabel_through()
        => Assert.True(Ml.Regression.Trainers.Mlp(normalizeLabel: true).Options.NormalizeLabel);

    private static MlpOptions Create(string task, string label, string features, string weight, int[] hidden, MlpActivation activation,
        MlpOptimizer optimizer, float learningRate, int batchSize, int epochs, float l2, int seed) => task switch
    {
        "multiclass" => Ml.MulticlassClassification.Trainers.Mlp(label, features, weight, hidden, activation, optimizer, learningRate, batchSize, epochs, l2, seed).Options,
        "binary" => Ml.BinaryClassification.Trainers.Mlp(label, features, weight, hidden, activation, optimizer, learningRate, batchSize, epochs, l2, seed).Options,
        _ => Ml.Regression.Trainers.Mlp(label, features, weight, hidden, activation, optimizer, learningRate, batchSize, epochs, l2, seed: seed).Options,
    };
}
