using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MlpTrainer;

/// <summary>The one place the catalog extensions reach the <see cref="IHostEnvironment"/> that ML.NET keeps inside each catalog.</summary>
internal static class MlNetCatalogEnvironment
{
    public static MlpEstimator CreateEstimator(MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, MlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return MlpEstimator.Create(catalog.GetEnvironment(), options);
    }
}
