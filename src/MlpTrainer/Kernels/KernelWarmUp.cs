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
/// core waits. The estimator's checks and the density probe run on one thread, and so does the set-up between the read
/// and the first epoch; the read itself keeps both cores busy (the reader and the page mapping), so it holds the
/// compiling (<see cref="Pause"/>), and the first epoch ends it (<see cref="Stop"/>): what is left then is compiled on
/// first use, as without the warm-up. Only the run's own optimizer and loss are compiled, the largest methods first,
/// those of a sparse first layer last unless the options ask for one (the data decides later). Compiling ahead changes
/// no result.
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
    /// The non-generic methods of this assembly marked <see cref="MethodImplOptions.AggressiveOptimization"/>, largest
    /// first (their compiling takes longest); those that read the data view (compiled by the reader as it starts) and the
    /// micro-kernels this processor does not use are left out. With <paramref name="options"/> and <paramref name="task"/>,
    /// the other optimizers' and losses' are left out too, and a sparse first layer's come last unless
    /// <see cref="MlpOptions.SparseFeatures"/> asks for one.
    /// </summary>
    internal static IReadOnlyList<MethodInfo> Kernels(MlpOptions? options = null, MlpTask? task = null)
    {
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var unused = new HashSet<Type>
        {
            Vector512.IsHardwareAccelerated ? typeof(Vector256MicroKernel) : typeof(Vector512MicroKernel),
            typeof(Data.DataViewRowReader), typeof(Data.FeatureMoments),
        };
        if (options is not null)
            unused.UnionWith(OtherOptimizers(options.Optimizer));
        if (task is MlpTask t)
            unused.UnionWith(OtherLosses(t, options?.RegressionLoss ?? MlpRegressionLoss.SquaredError));
        bool sparseLast = options is not null && options.SparseFeatures != true;
        var kernels = new List<(MethodInfo Method, bool Late, int Size)>();
        foreach (Type type in typeof(KernelWarmUp).Assembly.GetTypes())
        {
            if (type.ContainsGenericParameters || unused.Contains(type))
                continue;
            bool late = sparseLast && SparseOnly.Contains(type);
            foreach (MethodInfo method in type.GetMethods(all))
            {
                if (!method.IsAbstract && !method.ContainsGenericParameters &&
                    (method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0)
                    kernels.Add((method, late, method.GetMethodBody()?.GetILAsByteArray()?.Length ?? 0));
            }
        }
        return kernels.OrderBy(k => k.Late).ThenByDescending(k => k.Size).Select(k => k.Method).ToArray();
    }

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
