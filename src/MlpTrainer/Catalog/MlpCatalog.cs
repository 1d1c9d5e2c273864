using Microsoft.ML;

namespace MlpTrainer;

/// <summary>The <c>Mlp</c> trainers in ML.NET's catalogs: <c>mlContext.MulticlassClassification.Trainers.Mlp(...)</c>.</summary>
public static class MlpCatalog
{
    /// <summary>A multilayer-perceptron multiclass trainer with the given options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its documented range; the message names it.</exception>
    public static MlpEstimator Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, MlpOptions options)
        => MlNetCatalogEnvironment.CreateEstimator(catalog, options);

    /// <summary>A multilayer-perceptron multiclass trainer with the most used options; the rest keep their <see cref="MlpOptions"/> defaults.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The key-typed label column.</param>
    /// <param name="featureColumnName">The feature vector column.</param>
    /// <param name="hiddenLayerSizes">Units per hidden layer; default one layer of 100.</param>
    /// <param name="activation">The hidden layers' activation.</param>
    /// <param name="optimizer">SGD or Adam.</param>
    /// <param name="learningRate">The step size.</param>
    /// <param name="batchSize">Rows per minibatch.</param>
    /// <param name="numberOfEpochs">Passes over the data.</param>
    /// <param name="l2Regularization">The L2 penalty on the weights.</param>
    /// <param name="seed">Seed for initialisation and shuffling; null takes it from the MLContext.</param>
    public static MlpEstimator Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label",
        string featureColumnName = "Features",
        int[]? hiddenLayerSizes = null,
        MlpActivation activation = MlpActivation.ReLU,
        MlpOptimizer optimizer = MlpOptimizer.Adam,
        float learningRate = 0.001f,
        int batchSize = 200,
        int numberOfEpochs = 200,
        float l2Regularization = 1e-4f,
        int? seed = null)
        => MlNetCatalogEnvironment.CreateEstimator(catalog, new MlpOptions
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            HiddenLayerSizes = hiddenLayerSizes ?? new MlpOptions().HiddenLayerSizes,
            Activation = activation,
            Optimizer = optimizer,
            LearningRate = learningRate,
            BatchSize = batchSize,
            NumberOfEpochs = numberOfEpochs,
            L2Regularization = l2Regularization,
            Seed = seed,
        });
}
