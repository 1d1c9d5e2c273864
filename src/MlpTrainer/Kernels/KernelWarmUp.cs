using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using MlpTrainer.Model;

namespace MlpTrainer.Kernels;

/// <summary>
/// Compiles the training step's kernels on a background thread, once per process, in the parts of <c>Fit</c> before
/// the first epoch that leave a core idle. The kernels are marked <see cref="MethodImplOptions.AggressiveOptimization"/>
/// (optimised from their first call rather than after tiering), so each is compiled fully on first use: about 30 ms
/// of compiling that otherwise lands in the first minibatch (45–50 ms against 0.9 ms for the next ones) while the other
/// core waits. With the generic kernels (the matrix product's, the activation's) compiled here too, the first minibatch
/// of the standard workload takes 11–13 ms (17–31 ms when only the non-generic ones were). The estimator's checks and the density probe run on one thread, and so does the set-up between the read
/// and the first epoch; the read itself keeps both cores busy (the reader and the page mapping), so it holds the
/// compiling (<see cref="Pause"/>), and the first epoch ends it (<see cref="Stop"/>): what is left then is compiled on
/// first use, as without the warm-up. Only the run's own optimizer, loss, activation and micro-kernel are compiled (the
/// generic kernels for the type arguments the run gives them), the largest methods first, those of a sparse first layer
/// last unless the options ask for one (the data decides later). Compiling ahead changes no result.
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
        new Thread(() => Compile(Kernels(copy, task), honourHolds: true)) { IsBackground = true, Name = "MlpTrainer kernel warm-up" }.Start();
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
    private static int Compile(IReadOnlyList<MethodInfo> kernels, bool honourHolds)
    {
        int compiled = 0;
        long heldSince = 0;
        foreach (MethodInfo method in kernels)
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
                if (method.IsGenericMethod)
                    RuntimeHelpers.PrepareMethod(method.GetGenericMethodDefinition().MethodHandle, method.GetGenericArguments().Select(a => a.TypeHandle).ToArray());
                else
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
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

    /// <summary>
    /// The types that hold the training step's kernels: their methods marked
    /// <see cref="MethodImplOptions.AggressiveOptimization"/> are the ones compiled ahead. A list rather than a scan of
    /// the assembly, whose reflection over every type cost 16–22 ms on the warm-up's thread and kept the runtime busy
    /// recompiling its reflection code during the first epoch; a test checks that every such method of the assembly is
    /// here or left to the reader.
    /// </summary>
    internal static readonly Type[] KernelTypes =
    {
        typeof(Training.BackpropTrainer), typeof(Training.BestWeights),
        typeof(Layers.DenseLayer), typeof(Layers.SparseInputLayer), typeof(Layers.SparseRowGradient),
        typeof(GemmEngine), typeof(GemmDriver), typeof(GemmPacking), typeof(GemmWorkerTeam),
        typeof(Vector512MicroKernel), typeof(Vector256MicroKernel),
        typeof(ElementwiseKernel), typeof(ActivationKernel), typeof(RowKernel), typeof(SparseGatherKernel),
        typeof(Optimizers.Optimizer), typeof(Optimizers.AdamOptimizer), typeof(Optimizers.SgdOptimizer), typeof(Optimizers.RmsPropOptimizer),
        typeof(Losses.SoftmaxCrossEntropy), typeof(Losses.SoftmaxCrossEntropyLoss), typeof(Losses.SigmoidCrossEntropyLoss),
        typeof(Losses.SquaredErrorLoss), typeof(Losses.HuberLoss),
        typeof(Data.InMemoryMinibatchSource), typeof(Data.ParallelRowGather), typeof(Data.Minibatch), typeof(Data.RowDataset),
        typeof(Data.DenseDataset), typeof(Data.SparseDataset), typeof(Data.SparseVector), typeof(Data.FeatureStandardization),
    };

    /// <summary>
    /// The methods of <see cref="KernelTypes"/> marked <see cref="MethodImplOptions.AggressiveOptimization"/>, largest
    /// first (their compiling takes longest); the micro-kernels this processor does not use are left out. A generic
    /// kernel (the matrix product's driver and packing over a micro-kernel, the element-wise and row maps over an
    /// operator) is compiled for the type arguments the run uses (<see cref="TypeArguments"/>): the micro-kernel of this
    /// processor, the activation's operators and functions, and the softmax's exponential. With
    /// <paramref name="options"/> and <paramref name="task"/>, the other optimizers' and losses' are left out too, and a
    /// sparse first layer's come last unless <see cref="MlpOptions.SparseFeatures"/> asks for one; without them, every
    /// activation's and loss's.
    /// </summary>
    internal static IReadOnlyList<MethodInfo> Kernels(MlpOptions? options = null, MlpTask? task = null)
    {
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        GemmPath path = GemmEngine.BestPath();
        var unused = new HashSet<Type>();
        if (path != GemmPath.Vector512)
            unused.Add(typeof(Vector512MicroKernel));
        if (path != GemmPath.Vector256)
            unused.Add(typeof(Vector256MicroKernel));
        if (options is not null)
            unused.UnionWith(OtherOptimizers(options.Optimizer));
        if (task is MlpTask t)
            unused.UnionWith(OtherLosses(t, options?.RegressionLoss ?? MlpRegressionLoss.SquaredError));
        Type[] typeArguments = TypeArguments(path, options?.Activation, task);
        bool sparseLast = options is not null && options.SparseFeatures != true;
        var kernels = new List<(MethodInfo Method, bool Late, int Size)>();
        foreach (Type type in KernelTypes)
        {
            if (unused.Contains(type))
                continue;
            bool late = sparseLast && SparseOnly.Contains(type);
            foreach (MethodInfo method in type.GetMethods(all))
            {
                if (method.IsAbstract || (method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) == 0)
                    continue;
                int size = method.GetMethodBody()?.GetILAsByteArray()?.Length ?? 0;
                if (!method.IsGenericMethodDefinition)
                {
                    kernels.Add((method, late, size));
                    continue;
                }
                foreach (Type argument in typeArguments)
                {
                    if (Fits(method.GetGenericArguments(), argument))
                        kernels.Add((method.MakeGenericMethod(argument), late, size));
                }
            }
        }
        return kernels.OrderBy(k => k.Late).ThenByDescending(k => k.Size).Select(k => k.Method).ToArray();
    }

    /// <summary>
    /// The type arguments a run's generic kernels take: the micro-kernel of <paramref name="path"/>, the element-wise
    /// operators and row functions of <paramref name="activation"/> (every activation's when null) and the output
    /// layer's bias, and the exponential of a multiclass (or unknown) task's softmax.
    /// </summary>
    private static Type[] TypeArguments(GemmPath path, MlpActivation? activation, MlpTask? task)
    {
        var arguments = new List<Type>
        {
            path switch
            {
                GemmPath.Vector512 => typeof(Vector512MicroKernel),
                GemmPath.Vector256 => typeof(Vector256MicroKernel),
                _ => typeof(ScalarMicroKernel),
            },
        };
        foreach (MlpActivation a in activation is MlpActivation one ? new[] { one } : Enum.GetValues<MlpActivation>())
            arguments.AddRange(ActivationKernel.OperatorsAndFunctions(a));
        if (task is null or MlpTask.Multiclass)
            arguments.Add(typeof(RowKernel.ExpFunction));
        return arguments.Distinct().ToArray();
    }

    /// <summary>Whether the one type parameter of a generic kernel takes <paramref name="argument"/>: a struct with each of its interfaces.</summary>
    private static bool Fits(Type[] parameters, Type argument)
        => parameters.Length == 1 && argument.IsValueType && parameters[0].GetGenericParameterConstraints().All(c => c.IsAssignableFrom(argument));

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
