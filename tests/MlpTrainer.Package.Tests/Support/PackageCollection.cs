namespace MlpTrainer.Package.Tests.Support;

/// <summary>The tests that share one packed MlpTrainer (<see cref="PackedLibrary"/>); xunit runs them one after another.</summary>
[CollectionDefinition(nameof(PackageCollection))]
public sealed class PackageCollection : ICollectionFixture<PackedLibrary>
{
}
