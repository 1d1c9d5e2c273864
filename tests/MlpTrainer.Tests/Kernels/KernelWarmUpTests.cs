using System.Reflection;
using System.Runtime.CompilerServices;
using MlpTrainer.Kernels;
using MlpTrainer.Model;
using Kernel = MlpTrainer.Kernels.KernelWarmUp.Kernel;

namespace MlpTrainer.Tests.Kernels;

/// <summary>The kernels compiled ahead of the first minibatch (<see cref="KernelWarmUp"/>) are the training step's own.</summary>
public sealed class KernelWarmUpTests
{
    private const BindingFlags All = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    private static readonly Kernel[] Kernels = KernelWarmUp.Kernels().ToArray();

    [Fact]
    public void TheTrainingStepsProductAndOptimizerAreAmongTheKernels()
    {
        Assert.Contains(Kernels, k => k.DeclaringType == typeof(GemmDriver));
        Assert.Contains(Kernels, k => k.DeclaringType == typeof(MlpTrainer.Optimizers.AdamOptimizer) && k.Name == "Update");
        Assert.Contains(Kernels, k => k.DeclaringType == typeof(MlpTrainer.Training.BackpropTrainer));
    }

    [Fact]
    public void EveryKernelIsCompiledOptimisedFromItsFirstCallAndAGenericOneHasItsTypeArgument()
    {
        Assert.NotEmpty(Kernels);
        Assert.All(Kernels, k =>
        {
            MethodBase method = Reflected(k);
            Assert.True((method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0, k.Name);
            Assert.Equal(method.IsGenericMethodDefinition, k.TypeArgument is not null);
        });
    }

    [Fact]
    public void EveryOptimisedFromTheFirstCallMethodOfTheAssemblyIsAKernelUnlessTheReaderCompilesItOrThisProcessorDoesNotUseIt()
    {
        var readers = new[] { typeof(MlpTrainer.Data.DataViewRowReader), typeof(MlpTrainer.Data.FeatureMoments) };
        var otherMicroKernels = new[] { typeof(Vector512MicroKernel), typeof(Vector256MicroKernel), typeof(ScalarMicroKernel) }
            .Where(k => k != KernelWarmUp.MicroKernel(GemmEngine.BestPath()));
        var listed = Kernels.Select(k => k.Token).ToHashSet();

        string[] missing = typeof(KernelWarmUp).Assembly.GetTypes()
            .Where(t => !readers.Contains(t) && !otherMicroKernels.Contains(t)) // a generic type's kernels could not be compiled ahead: listed as missing
            .SelectMany(t => t.GetMethods(All))
            .Where(m => !m.IsAbstract && (m.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0 && !listed.Contains(m.MetadataToken))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToArray();

        Assert.Empty(missing);
    }

    [Fact]
    public void EveryListedKernelTypeHoldsAKernel()
    {
        var holders = Kernels.Select(k => k.DeclaringType).ToHashSet();
        var otherMicroKernels = new[] { typeof(Vector512MicroKernel), typeof(Vector256MicroKernel) }.Where(k => k != KernelWarmUp.MicroKernel(GemmEngine.BestPath()));

        Assert.All(KernelWarmUp.KernelTypes, t =>
        {
            Assert.Equal(typeof(KernelWarmUp).Module, t.Module);
            Assert.False(t.IsGenericTypeDefinition, t.Name);
        });
        Assert.All(KernelWarmUp.KernelTypes.Except(otherMicroKernels), t => Assert.Contains(t, holders));
    }

    [Theory]
    [InlineData(MlpActivation.Identity, new[] { "AddBias" }, new string[0])]
    [InlineData(MlpActivation.ReLU, new[] { "AddBias", "AddBiasReLU", "ReLUDerivative" }, new string[0])]
    [InlineData(MlpActivation.LeakyReLU, new[] { "AddBias", "AddBiasLeakyReLU", "LeakyReLUDerivative" }, new string[0])]
    [InlineData(MlpActivation.Sigmoid, new[] { "AddBias", "SigmoidDerivative" }, new[] { "SigmoidFunction" })]
    [InlineData(MlpActivation.Tanh, new[] { "AddBias", "TanhDerivative" }, new[] { "TanhFunction" })]
    public void EachActivationGivesTheGenericKernelsItsOwnOperatorsAndFunctionsAndTheOutputLayersBias(MlpActivation activation, string[] operators, string[] functions)
    {
        Assert.Equal(operators.Order(), ActivationKernel.Operators(activation).Select(t => t.Name).Order());
        Assert.Equal(functions.Order(), ActivationKernel.Functions(activation).Select(t => t.Name).Order());
    }

    [Fact]
    public void EveryActivationIsCovered()
    {
        Assert.All(Enum.GetValues<MlpActivation>(), a => Assert.NotEmpty(ActivationKernel.Operators(a)));
    }

    [Fact]
    public void EveryElementwiseOperatorAndRowFunctionIsAGenericKernelsArgumentForSomeRun()
    {
        var arguments = Kernels.Where(k => k.TypeArgument is not null).Select(k => k.TypeArgument!).ToHashSet();
        var operators = typeof(KernelWarmUp).Assembly.GetTypes()
            .Where(t => t.IsValueType && (typeof(IElementwiseOperator).IsAssignableFrom(t) || typeof(IVectorFunction).IsAssignableFrom(t)));

        Assert.All(operators, t => Assert.Contains(t, arguments));
    }

    [Fact]
    public void AReLUMulticlassRunCompilesTheProductForThisProcessorAndItsOwnOperatorsAndExponential()
    {
        string[] generic = Generic(KernelWarmUp.Kernels(new MlpOptions { Activation = MlpActivation.ReLU }, MlpTask.Multiclass));
        string microKernel = KernelWarmUp.MicroKernel(GemmEngine.BestPath()).Name;

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
        string[] generic = Generic(KernelWarmUp.Kernels(new MlpOptions { Activation = MlpActivation.Tanh }, MlpTask.Regression));

        Assert.Contains("Map<TanhFunction>", generic);
        Assert.Contains("Apply<TanhDerivative>", generic);
        Assert.Contains("Apply<AddBias>", generic);
        Assert.DoesNotContain("Map<ExpFunction>", generic);
        Assert.DoesNotContain("Apply<AddBiasReLU>", generic);
    }

    [Fact]
    public void TheMatrixProductComesFirst()
    {
        Assert.Equal(typeof(GemmDriver), Kernels[0].DeclaringType);
    }

    [Fact]
    public void CompilingAllTheKernelsSucceedsForEachOfThem()
    {
        Assert.Equal(Kernels.Length, KernelWarmUp.CompileAll());
    }

    [Fact]
    public void ARunCompilesItsOwnOptimizerAndLossOnly()
    {
        var kernels = KernelWarmUp.Kernels(new MlpOptions { Optimizer = MlpOptimizer.Sgd }, MlpTask.Binary);

        Assert.Contains(kernels, k => k.DeclaringType == typeof(MlpTrainer.Optimizers.SgdOptimizer));
        Assert.DoesNotContain(kernels, k => k.DeclaringType == typeof(MlpTrainer.Optimizers.AdamOptimizer));
        Assert.Contains(kernels, k => k.DeclaringType == typeof(MlpTrainer.Losses.SigmoidCrossEntropyLoss));
        Assert.DoesNotContain(kernels, k => k.DeclaringType == typeof(MlpTrainer.Losses.SoftmaxCrossEntropyLoss));
    }

    [Fact]
    public void ASparseFirstLayersCodeComesLastUnlessTheOptionsAskForOne()
    {
        static int FirstSparse(IReadOnlyList<Kernel> kernels) => kernels.ToList().FindIndex(k => k.DeclaringType == typeof(MlpTrainer.Layers.SparseInputLayer));
        static int LastDense(IReadOnlyList<Kernel> kernels) => kernels.ToList().FindLastIndex(k => k.DeclaringType == typeof(MlpTrainer.Layers.DenseLayer));

        var automatic = KernelWarmUp.Kernels(new MlpOptions(), MlpTask.Multiclass);
        var sparse = KernelWarmUp.Kernels(new MlpOptions { SparseFeatures = true }, MlpTask.Multiclass);

        Assert.True(FirstSparse(automatic) > LastDense(automatic));
        Assert.True(FirstSparse(sparse) < LastDense(sparse));
    }

    /// <summary>The kernel as reflection sees it (its generic definition for a generic one).</summary>
    private static MethodBase Reflected(Kernel kernel) => typeof(KernelWarmUp).Module.ResolveMethod(kernel.Token)!;

    private static string[] Generic(IReadOnlyList<Kernel> kernels)
        => kernels.Where(k => k.TypeArgument is not null).Select(k => $"{k.Name}<{k.TypeArgument!.Name}>").ToArray();
}
