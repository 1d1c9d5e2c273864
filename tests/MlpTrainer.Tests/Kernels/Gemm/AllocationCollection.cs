using MlpTrainer.Kernels;
using Xunit;

namespace MlpTrainer.Tests.Kernels.Gemm;

/// <summary>
/// Tests that count allocated bytes process-wide; they run alone, after the parallel tests, so
/// other tests' allocations do not show up in their counts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "Allocation counting";
}
