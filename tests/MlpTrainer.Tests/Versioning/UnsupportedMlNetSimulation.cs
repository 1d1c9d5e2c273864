namespace MlpTrainer.Tests.Versioning;

/// <summary>
/// The tests that simulate an unsupported ML.NET for the whole process (<see cref="MlNetVersionCheck.Simulate"/>):
/// xunit runs this collection on its own, after the parallel ones, so no other test sees the simulation.
/// </summary>
[CollectionDefinition(nameof(UnsupportedMlNetSimulation), DisableParallelization = true)]
public sealed class UnsupportedMlNetSimulation
{
}
