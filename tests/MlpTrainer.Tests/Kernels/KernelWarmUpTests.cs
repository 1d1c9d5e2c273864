using System.Reflection;
using System.Runtime.CompilerServices;
using MlpTrainer.Kernels;

namespace MlpTrainer.Tests.Kernels;

/// <summary>The kernels compiled ahead of the first minibatch (<see cref="KernelWarmUp"/>) are the training step's own.</summary>
public sealed class KernelWarmUpTests
{
    private static readonly MethodInfo[] Kernels = KernelWarmUp.Kernels().ToArray();

    [Fact]
    public void TheTrainingStepsProductAndOptimizerAreAmongTheKernels()
    {
        Assert.Contains(Kernels, m => m.DeclaringType == typeof(GemmDriver));
        Assert.Contains(Kernels, m => m.DeclaringType == typeof(MlpTrainer.Optimizers.AdamOptimizer) && m.Name == "Update");
        Assert.Contains(Kernels, m => m.DeclaringType == typeof(MlpTrainer.Training.BackpropTrainer));
    }

    [Fact]
    public void EveryKernelIsCompiledOptimisedFromItsFirstCallAndNotGeneric()
    {
        Assert.NotEmpty(Kernels);
        Assert.All(Kernels, m =>
        {
            Assert.True((m.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0, m.Name);
            Assert.False(m.ContainsGenericParameters, m.Name);
        });
    }

    [Fact]
    public void TheDataReadersOwnMethodsAreLeftToTheReader()
    {
        Assert.DoesNotContain(Kernels, m => m.DeclaringType == typeof(MlpTrainer.Data.DataViewRowReader));
    }

    [Fact]
    public void TheLargestMethodsComeFirst()
    {
        int[] sizes = Kernels.Select(m => m.GetMethodBody()!.GetILAsByteArray()!.Length).ToArray();
        Assert.Equal(sizes.OrderByDescending(s => s), sizes);
        Assert.True(sizes[0] > sizes[^1]);
    }

    [Fact]
    public void CompilingAllTheKernelsSucceedsForEachOfThem()
    {
        Assert.Equal(Kernels.Length, KernelWarmUp.CompileAll());
    }
}
