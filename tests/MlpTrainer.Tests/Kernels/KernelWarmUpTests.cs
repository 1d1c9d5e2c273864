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
    [Fact]
    public void ARunCompilesItsOwnOptimizerAndLossOnly()
    {
        var kernels = KernelWarmUp.Kernels(new MlpOptions { Optimizer = MlpOptimizer.Sgd }, MlpTrainer.Model.MlpTask.Binary);

        Assert.Contains(kernels, m => m.DeclaringType == typeof(MlpTrainer.Optimizers.SgdOptimizer));
        Assert.DoesNotContain(kernels, m => m.DeclaringType == typeof(MlpTrainer.Optimizers.AdamOptimizer));
        Assert.Contains(kernels, m => m.DeclaringType == typeof(MlpTrainer.Losses.SigmoidCrossEntropyLoss));
        Assert.DoesNotContain(kernels, m => m.DeclaringType == typeof(MlpTrainer.Losses.SoftmaxCrossEntropyLoss));
    }

    [Fact]
    public void ASparseFirstLayersCodeComesLastUnlessTheOptionsAskForOne()
    {
        static int FirstSparse(IReadOnlyList<MethodInfo> kernels) => kernels.ToList().FindIndex(m => m.DeclaringType == typeof(MlpTrainer.Layers.SparseInputLayer));
        static int LastDense(IReadOnlyList<MethodInfo> kernels) => kernels.ToList().FindLastIndex(m => m.DeclaringType == typeof(MlpTrainer.Layers.DenseLayer));

        var automatic = KernelWarmUp.Kernels(new MlpOptions(), MlpTrainer.Model.MlpTask.Multiclass);
        var sparse = KernelWarmUp.Kernels(new MlpOptions { SparseFeatures = true }, MlpTrainer.Model.MlpTask.Multiclass);

        Assert.True(FirstSparse(automatic) > LastDense(automatic));
        Assert.True(FirstSparse(sparse) < LastDense(sparse));
    }
}
