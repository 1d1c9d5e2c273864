using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Runtime.CompilerServices;
using MlpTrainer.Model;

namespace MlpTrainer.Kernels;

/// <summary>
/// Compiles the training step's kernels on a background thread, once per process, in the parts of <c>Fit</c> before
/// the first epoch that leave a core idle. The kernels are marked <see cref="MethodImplOptions.AggressiveOptimization"/>
/// (optimised from their first call rather than after tiering), so each is compiled fully on first use: about 30 ms
/// of compiling that otherwise lands in the first minibatch (45–50 ms against 0.9 ms for the next ones) while the other
/// core waits. With the generic kernels (the matrix product's, the activation's) compiled here too, the first minibatch
/// of the standard workload takes 11–13 ms (17–31 ms when only the non-generic ones were). The estimator's checks and
/// the density probe run on one thread, and so does the set-up between the read and the first epoch; the read itself keeps both cores busy (the reader and the page mapping), so it holds the
/// compiling (<see cref="Pause"/>), and the first epoch ends it (<see cref="Stop"/>): what is left then is compiled on
/// first use, as without the warm-up. The other optimizers' and losses' kernels are left out, and the generic kernels
/// are compiled for the type arguments the run gives them (this processor's micro-kernel, the activation's operators and
/// functions); the matrix product comes first, a sparse first layer's code last unless the options ask for one (the
/// data decides later). Compiling ahead changes no result.
/// </summary>
internal static class KernelWarmUp
{
    /// <summary>The longest the compiling waits for a hold to end before it gives up.</summary>
    private const int MaxHoldMilliseconds = 60_000;

    private static int s_started, s_holds;
    private static volatile bool s_stopped;

    /// <summary>Starts compiling the kernels a run of <paramref name="task"/> with <paramref name="options"/> uses, unless it was started before in this process.</summary>
    public static void Start(MlpOptions options, MlpTask task)
    {
        if (Interlocked.Exchange(ref s_started, 1) != 0)
            return;
        MlpOptions copy = options.Clone();
        // A thread of its own, not a thread-pool thread, which it would keep while a hold lasts; the methods are found
        // there too, off Fit's path.
        new Thread(() =>
        {
            try
            {
                Compile(Kernels(copy, task), honourHolds: true);
            }
            catch (Exception)
            {
                // Listing the kernels failed (metadata this runtime does not give, options not validated yet): nothing is
                // lost, every kernel compiles on first use. An exception must not escape this thread, which would end
                // the process.
            }
        }) { IsBackground = true, Name = "MlpTrainer kernel warm-up" }.Start();
    }

    /// <summary>Holds the compiling, between two methods, until the returned scope is disposed.</summary>
    public static Hold Pause()
    {
        Interlocked.Increment(ref s_holds);
        return new Hold();
    }

    /// <summary>Ends the compiling for good: training has started, and the rest compiles on first use.</summary>
    public static void Stop() => s_stopped = true;

    /// <summary>A <see cref="Pause"/> in effect until disposed.</summary>
    public readonly struct Hold : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref s_holds);
    }

    /// <summary>Compiles every kernel now, on the calling thread, whatever holds or stops; returns how many methods.</summary>
    internal static int CompileAll() => Compile(Kernels(), honourHolds: false);

    /// <summary>
    /// Compiles the kernels in order; with <paramref name="honourHolds"/>, waits while a <see cref="Pause"/> holds and
    /// returns early after <see cref="Stop"/>. Returns how many methods were compiled.
    /// </summary>
    private static int Compile(IReadOnlyList<Kernel> kernels, bool honourHolds)
    {
        int compiled = 0;
        long heldSince = 0;
        foreach (Kernel kernel in kernels)
        {
            while (honourHolds && Volatile.Read(ref s_holds) > 0 && !s_stopped)
            {
                // A hold never released (a read that failed) must not keep this thread waiting for ever.
                heldSince = heldSince == 0 ? Environment.TickCount64 : heldSince;
                if (Environment.TickCount64 - heldSince > MaxHoldMilliseconds)
                    return compiled;
                Thread.Sleep(1);
            }
            heldSince = 0;
            if (honourHolds && s_stopped)
                break;
            try
            {
                RuntimeHelpers.PrepareMethod(kernel.Method, kernel.TypeArgument is null ? null : new[] { kernel.TypeArgument.TypeHandle });
                compiled++;
            }
            catch (Exception)
            {
                // Nothing is lost: the method is compiled (or fails) when it is first called, as without the warm-up. An
                // exception must not escape this thread, which would end the process.
            }
        }
        return compiled;
    }

    /// <summary>One method to compile ahead: a kernel of this assembly, with the type argument it is compiled for when it is generic.</summary>
    /// <param name="Method">The method (its generic definition when <paramref name="TypeArgument"/> is given).</param>
    /// <param name="Token">Its metadata token, which names it in this assembly.</param>
    /// <param name="Name">Its name, for messages.</param>
    /// <param name="DeclaringType">The type that declares it.</param>
    /// <param name="TypeArgument">The type argument of a generic kernel, or null.</param>
    internal readonly record struct Kernel(RuntimeMethodHandle Method, int Token, string Name, Type DeclaringType, Type? TypeArgument);

    /// <summary>
    /// The types that hold the training step's kernels, in the order they are compiled: the matrix product first (most of
    /// a step, and the largest methods), then the element-wise and row kernels, a sparse first layer's (moved last unless
    /// the options ask for one), the layers, the losses, the optimizers and the minibatch's data. Their methods marked <see cref="MethodImplOptions.AggressiveOptimization"/> are the kernels.
    /// A hand-written list whose methods are read from the assembly's metadata, rather than a reflection scan over every
    /// type: the scan cost 15–22 ms on the warm-up's thread, and the runtime then recompiled about 20 more of its
    /// reflection methods during the first epoch. A test checks that every such method of the assembly is here or left
    /// to the reader.
    /// </summary>
    internal static readonly Type[] KernelTypes =
    {
        typeof(GemmDriver), typeof(GemmPacking), typeof(Vector512MicroKernel), typeof(Vector256MicroKernel), typeof(GemmEngine), typeof(GemmWorkerTeam),
        typeof(ElementwiseKernel), typeof(ActivationKernel), typeof(RowKernel),
        typeof(Layers.SparseInputLayer), typeof(Layers.SparseRowGradient), typeof(SparseGatherKernel), typeof(Data.SparseDataset), typeof(Data.SparseVector),
        typeof(Training.BackpropTrainer), typeof(Layers.DenseLayer),
        typeof(Losses.SoftmaxCrossEntropy), typeof(Losses.SoftmaxCrossEntropyLoss), typeof(Losses.SigmoidCrossEntropyLoss),
        typeof(Losses.SquaredErrorLoss), typeof(Losses.HuberLoss),
        typeof(Optimizers.Optimizer), typeof(Optimizers.AdamOptimizer), typeof(Optimizers.SgdOptimizer), typeof(Optimizers.RmsPropOptimizer),
        typeof(Training.BestWeights),
        typeof(Data.InMemoryMinibatchSource), typeof(Data.ParallelRowGather), typeof(Data.Minibatch), typeof(Data.RowDataset),
        typeof(Data.DenseDataset), typeof(Data.FeatureStandardization),
    };

    /// <summary>
    /// The methods of <see cref="KernelTypes"/> marked <see cref="MethodImplOptions.AggressiveOptimization"/>, in that
    /// list's order; the micro-kernels this processor does not use are left out. A generic kernel (the product's driver
    /// and packing over a micro-kernel, the element-wise and row maps over an operator or function) is listed once for
    /// each type argument of the run that meets its constraint: the micro-kernel of this processor, the activation's
    /// operators and functions, and the softmax's exponential. With <paramref name="options"/> and
    /// <paramref name="task"/>, the other optimizers' and losses' are left out, and a sparse first layer's come last
    /// unless <see cref="MlpOptions.SparseFeatures"/> asks for one; without them, every activation's and loss's are in.
    /// </summary>
    internal static unsafe IReadOnlyList<Kernel> Kernels(MlpOptions? options = null, MlpTask? task = null)
    {
        if (!typeof(KernelWarmUp).Assembly.TryGetRawMetadata(out byte* blob, out int length))
            return Array.Empty<Kernel>();
        var metadata = new MetadataReader(blob, length);
        ModuleHandle module = typeof(KernelWarmUp).Module.ModuleHandle;
        GemmPath path = GemmEngine.BestPath();
        Type microKernel = MicroKernel(path);
        var unused = new HashSet<Type> { typeof(Vector512MicroKernel), typeof(Vector256MicroKernel) };
        unused.Remove(microKernel);
        if (options is not null)
            unused.UnionWith(OtherOptimizers(options.Optimizer));
        if (task is MlpTask t)
            unused.UnionWith(OtherLosses(t, options?.RegressionLoss ?? MlpRegressionLoss.SquaredError));
        // The type arguments of the run's generic kernels, by the interface their type parameter is constrained to.
        MlpActivation[] activations = options is null ? Enum.GetValues<MlpActivation>() : new[] { options.Activation };
        IEnumerable<Type> functions = activations.SelectMany(ActivationKernel.Functions);
        if (task is null or MlpTask.Multiclass)
            functions = functions.Append(typeof(RowKernel.ExpFunction));
        var arguments = new Dictionary<int, Type[]>
        {
            [typeof(IMicroKernel).MetadataToken] = new[] { microKernel },
            [typeof(IElementwiseOperator).MetadataToken] = activations.SelectMany(ActivationKernel.Operators).Distinct().ToArray(),
            [typeof(IVectorFunction).MetadataToken] = functions.Distinct().ToArray(),
        };

        bool sparseLast = options is not null && options.SparseFeatures != true;
        var kernels = new List<Kernel>();
        var late = new List<Kernel>();
        foreach (Type type in KernelTypes)
        {
            // Only this assembly's non-generic types have their methods in this metadata as closed methods (a test checks the list).
            if (unused.Contains(type) || type.Module != typeof(KernelWarmUp).Module || type.IsGenericTypeDefinition)
                continue;
            List<Kernel> into = sparseLast && SparseOnly.Contains(type) ? late : kernels;
            TypeDefinition definition = metadata.GetTypeDefinition((TypeDefinitionHandle)MetadataTokens.EntityHandle(type.MetadataToken));
            foreach (MethodDefinitionHandle handle in definition.GetMethods())
            {
                MethodDefinition method = metadata.GetMethodDefinition(handle);
                if ((method.ImplAttributes & MethodImplAttributes.AggressiveOptimization) == 0 || (method.Attributes & MethodAttributes.Abstract) != 0)
                    continue;
                int token = MetadataTokens.GetToken(handle);
                var kernel = new Kernel(module.ResolveMethodHandle(token), token, metadata.GetString(method.Name), type, null);
                GenericParameterHandleCollection parameters = method.GetGenericParameters();
                if (parameters.Count == 0)
                {
                    into.Add(kernel);
                    continue;
                }
                if (parameters.Count != 1)
                    continue; // none here: compiled on first use
                foreach (GenericParameterConstraintHandle constraint in metadata.GetGenericParameter(parameters[0]).GetConstraints())
                {
                    if (arguments.TryGetValue(MetadataTokens.GetToken(metadata.GetGenericParameterConstraint(constraint).Type), out Type[]? candidates))
                    {
                        foreach (Type argument in candidates)
                            into.Add(kernel with { TypeArgument = argument });
                    }
                }
            }
        }
        kernels.AddRange(late);
        return kernels;
    }

    /// <summary>The micro-kernel a product on <paramref name="path"/> runs.</summary>
    internal static Type MicroKernel(GemmPath path) => path switch
    {
        GemmPath.Vector512 => typeof(Vector512MicroKernel),
        GemmPath.Vector256 => typeof(Vector256MicroKernel),
        _ => typeof(ScalarMicroKernel),
    };

    /// <summary>Types whose code only a sparse first layer runs.</summary>
    private static readonly HashSet<Type> SparseOnly = new()
    {
        typeof(Layers.SparseInputLayer), typeof(Layers.SparseRowGradient), typeof(SparseGatherKernel),
        typeof(Data.SparseDataset), typeof(Data.SparseVector),
    };

    private static IEnumerable<Type> OtherOptimizers(MlpOptimizer optimizer)
    {
        var optimizers = new[] { typeof(Optimizers.AdamOptimizer), typeof(Optimizers.SgdOptimizer), typeof(Optimizers.RmsPropOptimizer) };
        Type? used = optimizer switch
        {
            MlpOptimizer.Adam or MlpOptimizer.AdamW => typeof(Optimizers.AdamOptimizer),
            MlpOptimizer.Sgd => typeof(Optimizers.SgdOptimizer),
            MlpOptimizer.RmsProp => typeof(Optimizers.RmsPropOptimizer),
            _ => null, // L-BFGS: none of them
        };
        return optimizers.Where(o => o != used);
    }

    private static IEnumerable<Type> OtherLosses(MlpTask task, MlpRegressionLoss regressionLoss)
    {
        var losses = new[] { typeof(Losses.SoftmaxCrossEntropyLoss), typeof(Losses.SoftmaxCrossEntropy), typeof(Losses.SigmoidCrossEntropyLoss),
            typeof(Losses.SquaredErrorLoss), typeof(Losses.HuberLoss) };
        Type[] used = task switch
        {
            MlpTask.Multiclass => new[] { typeof(Losses.SoftmaxCrossEntropyLoss), typeof(Losses.SoftmaxCrossEntropy) },
            MlpTask.Binary => new[] { typeof(Losses.SigmoidCrossEntropyLoss) },
            _ => new[] { regressionLoss == MlpRegressionLoss.Huber ? typeof(Losses.HuberLoss) : typeof(Losses.SquaredErrorLoss) },
        };
        return losses.Except(used);
    }
}
