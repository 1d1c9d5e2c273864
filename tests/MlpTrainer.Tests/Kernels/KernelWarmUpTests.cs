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
    public void EveryKernelIsCompiledOptimisedFromItsFirstCallAndHasItsTypeArguments()
    {
        Assert.NotEmpty(Kernels);
        Assert.All(Kernels, m =>
        {
            Assert.True((m.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0, m.Name);
            Assert.False(m.ContainsGenericParameters, m.Name);
        });
    }

    [Fact]
    public void EveryOptimisedFromTheFirstCallMethodOfTheAssemblyIsAKernelUnlessTheReaderCompilesItOrThisProcessorCannotRunIt()
    {
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var readers = new[] { typeof(MlpTrainer.Data.DataViewRowReader), typeof(MlpTrainer.Data.FeatureMoments) };
        var otherMicroKernels = new[] { typeof(Vector512MicroKernel), typeof(Vector256MicroKernel), typeof(ScalarMicroKernel) }
            .Where(k => k != MicroKernelOf(GemmEngine.BestPath()));
        var listed = Kernels.Select(m => m.IsGenericMethod ? m.GetGenericMethodDefinition() : m).ToHashSet();

        var missing = typeof(KernelWarmUp).Assembly.GetTypes()
            .Where(t => !t.ContainsGenericParameters && !readers.Contains(t) && !otherMicroKernels.Contains(t))
            .SelectMany(t => t.GetMethods(all))
            .Where(m => !m.IsAbstract && (m.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0 && !listed.Contains(m))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToArray();

        Assert.Empty(missing);
    }

    [Fact]
    public void EveryListedKernelTypeHoldsAKernel()
    {
        var holders = KernelWarmUp.Kernels().Select(m => m.DeclaringType).ToHashSet();
        var otherMicroKernels = new[] { typeof(Vector512MicroKernel), typeof(Vector256MicroKernel) }.Where(k => k != MicroKernelOf(GemmEngine.BestPath()));

        Assert.All(KernelWarmUp.KernelTypes.Except(otherMicroKernels), t => Assert.Contains(t, holders));
    }

    [Fact]
    public void EveryElementwiseOperatorAndRowFunctionIsAGenericKernelsArgumentForSomeRun()
    {
        var arguments = Kernels.Where(m => m.IsGenericMethod).SelectMany(m => m.GetGenericArguments()).ToHashSet();
        var operators = typeof(KernelWarmUp).Assembly.GetTypes()
            .Where(t => t.IsValueType && (typeof(IElementwiseOperator).IsAssignableFrom(t) || typeof(IVectorFunction).IsAssignableFrom(t)));

        Assert.All(operators, t => Assert.Contains(t, arguments));
    }

    [Fact]
    public void AReLUMulticlassRunCompilesTheProductForThisProcessorAndItsOwnOperatorsAndExponential()
    {
        var kernels = KernelWarmUp.Kernels(new MlpOptions { Activation = MlpActivation.ReLU }, MlpTrainer.Model.MlpTask.Multiclass);
        string[] generic = kernels.Where(m => m.IsGenericMethod).Select(m => $"{m.Name}<{m.GetGenericArguments()[0].Name}>").ToArray();
        string microKernel = MicroKernelOf(GemmEngine.BestPath()).Name;

        Assert.Contains($"Compute<{microKernel}>", generic);
        Assert.Contains($"PackA<{microKernel}>", generic);
        Assert.Contains($"PackB<{microKernel}>", generic);
        Assert.Contains("Apply<AddBiasReLU>", generic);
        Assert.Contains("Apply<ReLUDerivative>", generic);
        Assert.Contains("Map<ExpFunction>", generic);
        Assert.DoesNotContain("Apply<TanhDerivative>", generic);
        Assert.DoesNotContain("Map<SigmoidFunction>", generic);
    }

    [Fact]
    public void ATanhRegressionRunCompilesTanhsFunctionAndDerivativeButNoExponentialOfItsOwn()
    {
        var kernels = KernelWarmUp.Kernels(new MlpOptions { Activation = MlpActivation.Tanh }, MlpTrainer.Model.MlpTask.Regression);
        string[] generic = kernels.Where(m => m.IsGenericMethod).Select(m => $"{m.Name}<{m.GetGenericArguments()[0].Name}>").ToArray();

        Assert.Contains("Map<TanhFunction>", generic);
        Assert.Contains("Apply<TanhDerivative>", generic);
        Assert.Contains("Apply<AddBias>", generic);
        Assert.DoesNotContain("Map<ExpFunction>", generic);
        Assert.DoesNotContain("Apply<AddBiasReLU>", generic);
    }

    private static Type MicroKernelOf(GemmPath path) => path switch
    {
        GemmPath.Vector512 => typeof(Vector512MicroKernel),
        GemmPath.Vector256 => typeof(Vector256MicroKernel),
        _ => typeof(ScalarMicroKernel),
    };

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
