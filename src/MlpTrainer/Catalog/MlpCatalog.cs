using Microsoft.ML;

namespace MlpTrainer;

/// <summary>
/// The <c>Mlp</c> trainers in ML.NET's catalogs: <c>mlContext.MulticlassClassification.Trainers.Mlp(...)</c>,
/// <c>mlContext.BinaryClassification.Trainers.Mlp(...)</c> and <c>mlContext.Regression.Trainers.Mlp(...)</c>.
/// </summary>
public static class MlpCatalog
{
    /// <summary>A multilayer-perceptron multiclass trainer with the given options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its documented range; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The loaded ML.NET is not a version this MlpTrainer supports; the message names the supported range.</exception>
    public static MlpEstimator Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, MlpOptions options)
    {
        MlNetVersionCheck.ThrowIfUnsupported();
        return MlNetCatalogEnvironment.CreateEstimator(catalog, options);
    }

    /// <summary>
    /// A multilayer-perceptron multiclass trainer with the most used options; the rest keep their <see cref="MlpOptions"/>
    /// defaults. The three catalogs' <c>Mlp</c> overloads take the same parameters (regression adds <c>normalizeLabel</c>).
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The key-typed label column.</param>
    /// <param name="featureColumnName">The feature vector column.</param>
    /// <param name="exampleWeightColumnName">An optional Single column of row weights; null weighs every row 1.</param>
    /// <param name="hiddenLayerSizes">Units per hidden layer, input side first; null chooses from the data (one layer of 100, or of 32 for sparse features: see <see cref="MlpOptions.HiddenLayerSizes"/>).</param>
    /// <param name="activation">The hidden layers' activation.</param>
    /// <param name="optimizer">SGD, Adam, AdamW or RMSProp.</param>
    /// <param name="learningRate">The step size; null chooses from the data (0.001, or 0.005 for sparse features: see <see cref="MlpOptions.LearningRate"/>).</param>
    /// <param name="batchSize">Rows per minibatch.</param>
    /// <param name="numberOfEpochs">Passes over the data.</param>
    /// <param name="l2Regularization">The L2 penalty on the weights.</param>
    /// <param name="seed">Seed for initialisation and shuffling; null takes it from the MLContext.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its documented range (see <see cref="MlpOptions"/>); the message names it.</exception>
    /// <exception cref="InvalidOperationException">The loaded ML.NET is not a version this MlpTrainer supports; the message names the supported range.</exception>
    public static MlpEstimator Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label",
        string featureColumnName = "Features",
        string? exampleWeightColumnName = null,
        int[]? hiddenLayerSizes = null,
        MlpActivation activation = MlpActivation.ReLU,
        MlpOptimizer optimizer = MlpOptimizer.Adam,
        float? learningRate = null,
        int batchSize = 200,
        int numberOfEpochs = 200,
        float l2Regularization = 1e-3f,
        int? seed = null)
    {
        MlNetVersionCheck.ThrowIfUnsupported();
        return MlNetCatalogEnvironment.CreateEstimator(catalog, Common(labelColumnName, featureColumnName, exampleWeightColumnName, hiddenLayerSizes, activation, optimizer,
            learningRate, batchSize, numberOfEpochs, l2Regularization, seed));
    }

    /// <summary>A multilayer-perceptron binary classifier (Boolean label, sigmoid output, log-loss) with the given options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its documented range; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The loaded ML.NET is not a version this MlpTrainer supports; the message names the supported range.</exception>
    public static MlpBinaryEstimator Mlp(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, MlpOptions options)
    {
        MlNetVersionCheck.ThrowIfUnsupported();
        return MlNetCatalogEnvironment.CreateEstimator(catalog, options);
    }

    /// <summary>
    /// A multilayer-perceptron binary classifier with the most used options; the rest keep their <see cref="MlpOptions"/>
    /// defaults. The three catalogs' <c>Mlp</c> overloads take the same parameters (regression adds <c>normalizeLabel</c>).
    /// </summary>
    /// <param name="catalog">The binary classification trainers catalog.</param>
    /// <param name="labelColumnName">The Boolean label column.</param>
    /// <param name="featureColumnName">The feature vector column.</param>
    /// <param name="exampleWeightColumnName">An optional Single column of row weights; null weighs every row 1.</param>
    /// <param name="hiddenLayerSizes">Units per hidden layer, input side first; null chooses from the data (one layer of 100, or of 32 for sparse features: see <see cref="MlpOptions.HiddenLayerSizes"/>).</param>
    /// <param name="activation">The hidden layers' activation.</param>
    /// <param name="optimizer">SGD, Adam, AdamW or RMSProp.</param>
    /// <param name="learningRate">The step size; null chooses from the data (0.001, or 0.005 for sparse features: see <see cref="MlpOptions.LearningRate"/>).</param>
    /// <param name="batchSize">Rows per minibatch.</param>
    /// <param name="numberOfEpochs">Passes over the data.</param>
    /// <param name="l2Regularization">The L2 penalty on the weights.</param>
    /// <param name="seed">Seed for initialisation and shuffling; null takes it from the MLContext.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its documented range (see <see cref="MlpOptions"/>); the message names it.</exception>
    /// <exception cref="InvalidOperationException">The loaded ML.NET is not a version this MlpTrainer supports; the message names the supported range.</exception>
    public static MlpBinaryEstimator Mlp(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = "Label",
        string featureColumnName = "Features",
        string? exampleWeightColumnName = null,
        int[]? hiddenLayerSizes = null,
        MlpActivation activation = MlpActivation.ReLU,
        MlpOptimizer optimizer = MlpOptimizer.Adam,
        float? learningRate = null,
        int batchSize = 200,
        int numberOfEpochs = 200,
        float l2Regularization = 1e-3f,
        int? seed = null)
    {
        MlNetVersionCheck.ThrowIfUnsupported();
        return MlNetCatalogEnvironment.CreateEstimator(catalog, Common(labelColumnName, featureColumnName, exampleWeightColumnName, hiddenLayerSizes, activation, optimizer,
            learningRate, batchSize, numberOfEpochs, l2Regularization, seed));
    }

    /// <summary>A multilayer-perceptron regressor (Single label, linear output, squared error or Huber) with the given options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its documented range; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The loaded ML.NET is not a version this MlpTrainer supports; the message names the supported range.</exception>
    public static MlpRegressionEstimator Mlp(this RegressionCatalog.RegressionTrainers catalog, MlpOptions options)
    {
        MlNetVersionCheck.ThrowIfUnsupported();
        return MlNetCatalogEnvironment.CreateEstimator(catalog, options);
    }

    /// <summary>
    /// A multilayer-perceptron regressor with the most used options; the rest keep their <see cref="MlpOptions"/>
    /// defaults. The three catalogs' <c>Mlp</c> overloads take the same parameters; this one adds <c>normalizeLabel</c>.
    /// </summary>
    /// <param name="catalog">The regression trainers catalog.</param>
    /// <param name="labelColumnName">The Single label column.</param>
    /// <param name="featureColumnName">The feature vector column.</param>
    /// <param name="exampleWeightColumnName">An optional Single column of row weights; null weighs every row 1.</param>
    /// <param name="hiddenLayerSizes">Units per hidden layer, input side first; null chooses from the data (one layer of 100, or of 32 for sparse features: see <see cref="MlpOptions.HiddenLayerSizes"/>).</param>
    /// <param name="activation">The hidden layers' activation.</param>
    /// <param name="optimizer">SGD, Adam, AdamW or RMSProp.</param>
    /// <param name="learningRate">The step size; null chooses from the data (0.001, or 0.005 for sparse features: see <see cref="MlpOptions.LearningRate"/>).</param>
    /// <param name="batchSize">Rows per minibatch.</param>
    /// <param name="numberOfEpochs">Passes over the data.</param>
    /// <param name="l2Regularization">The L2 penalty on the weights.</param>
    /// <param name="normalizeLabel">Standardise the label for training and store the scaling in the model; null (default) = on.</param>
    /// <param name="seed">Seed for initialisation and shuffling; null takes it from the MLContext.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its documented range (see <see cref="MlpOptions"/>); the message names it.</exception>
    /// <exception cref="InvalidOperationException">The loaded ML.NET is not a version this MlpTrainer supports; the message names the supported range.</exception>
    public static MlpRegressionEstimator Mlp(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label",
        string featureColumnName = "Features",
        string? exampleWeightColumnName = null,
        int[]? hiddenLayerSizes = null,
        MlpActivation activation = MlpActivation.ReLU,
        MlpOptimizer optimizer = MlpOptimizer.Adam,
        float? learningRate = null,
        int batchSize = 200,
        int numberOfEpochs = 200,
        float l2Regularization = 1e-3f,
        bool? normalizeLabel = null,
        int? seed = null)
    {
        MlpOptions options = Common(labelColumnName, featureColumnName, exampleWeightColumnName, hiddenLayerSizes, activation, optimizer,
            learningRate, batchSize, numberOfEpochs, l2Regularization, seed);
        options.NormalizeLabel = normalizeLabel;
        MlNetVersionCheck.ThrowIfUnsupported();
        return MlNetCatalogEnvironment.CreateEstimator(catalog, options);
    }

    private static MlpOptions Common(string labelColumnName, string featureColumnName, string? exampleWeightColumnName, int[]? hiddenLayerSizes,
        MlpActivation activation, MlpOptimizer optimizer, float? learningRate, int batchSize, int numberOfEpochs, float l2Regularization, int? seed) => new()
    {
        LabelColumnName = labelColumnName,
        FeatureColumnName = featureColumnName,
        ExampleWeightColumnName = exampleWeightColumnName,
        HiddenLayerSizes = hiddenLayerSizes,
        Activation = activation,
        Optimizer = optimizer,
        LearningRate = learningRate,
        BatchSize = batchSize,
        NumberOfEpochs = numberOfEpochs,
        L2Regularization = l2Regularization,
        Seed = seed,
    };
}
