using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MlpTrainer;

/// <summary>The one place the catalog extensions reach the <see cref="IHostEnvironment"/> that ML.NET keeps inside each catalog.</summary>
internal static class MlNetCatalogEnvironment
{
    public static MlpEstimator CreateEstimator(MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, MlpOptions options)
        => MlpEstimator.Create(Environment(catalog), options);

    public static MlpBinaryEstimator CreateEstimator(BinaryClassificationCatalog.BinaryClassificationTrainers catalog, MlpOptions options)
        => MlpBinaryEstimator.Create(Environment(catalog), options);

    public static MlpRegressionEstimator CreateEstimator(RegressionCatalog.RegressionTrainers catalog, MlpOptions options)
        => MlpRegressionEstimator.Create(Environment(catalog), options);

    private static IHostEnvironment Environment(IInternalCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.GetEnvironment();
    }
}
