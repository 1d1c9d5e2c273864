using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MlpTrainer.Kernels;

/// <summary>
/// Compiles the training step's kernels on a background thread, once per process, in the parts of <c>Fit</c> before
/// the first epoch that leave a core idle. The kernels are marked <see cref="MethodImplOptions.AggressiveOptimization"/>
/// (optimised from their first call rather than after tiering), so each is compiled fully on first use: about 30 ms
/// of compiling that otherwise lands in the first minibatch (45–50 ms against 0.9 ms for the next ones) while the other
/// core waits. The estimator's checks and the density probe run on one thread, and so does the set-up between the read
/// and the first epoch; the read itself keeps both cores busy (the reader and the page mapping), so it holds the
/// compiling (<see cref="Pause"/>), and the first epoch ends it (<see cref="Stop"/>): what is left then is compiled on
/// first use, as without the warm-up. The largest methods go first. Compiling ahead changes no result.
/// </summary>
internal static class KernelWarmUp
{
    /// <summary>The longest the compiling waits for a hold to end before it gives up.</summary>
    private const int MaxHoldMilliseconds = 60_000;

    private static int s_started, s_holds;
    private static volatile bool s_stopped;

    /// <summary>Starts compiling, unless it was started before in this process.</summary>
    public static void Start()
    {
        if (Interlocked.Exchange(ref s_started, 1) != 0)
            return;
        // A thread of its own, not a thread-pool thread, which it would keep while a hold lasts.
        new Thread(static () => Compile(honourHolds: true)) { IsBackground = true, Name = "MlpTrainer kernel warm-up" }.Start();
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
    internal static int CompileAll() => Compile(honourHolds: false);

    /// <summary>
    /// Compiles the kernels in order; with <paramref name="honourHolds"/>, waits while a <see cref="Pause"/> holds and
    /// returns early after <see cref="Stop"/>. Returns how many methods were compiled.
    /// </summary>
    private static int Compile(bool honourHolds)
    {
        int compiled = 0;
        long heldSince = 0;
        foreach (MethodInfo method in Kernels())
        {
            while (honourHolds && Volatile.Read(ref s_holds) > 0 && !s_stopped)
            {
                // A hold never released (a read that failed) must not keep a pool thread waiting for ever.
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
            catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException)
            {
                // Nothing is lost: the method is compiled when it is first called, as without the warm-up.
            }
        }
        return compiled;
    }

    /// <summary>
    /// The non-generic methods of this assembly marked <see cref="MethodImplOptions.AggressiveOptimization"/>, largest
    /// first (their compiling takes longest); those that read the data view (compiled by the reader as it starts) and the
    /// micro-kernels this processor does not use are left out.
    /// </summary>
    internal static IReadOnlyList<MethodInfo> Kernels()
    {
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        Type unusedMicroKernel = Vector512.IsHardwareAccelerated ? typeof(Vector256MicroKernel) : typeof(Vector512MicroKernel);
        var kernels = new List<(MethodInfo Method, int Size)>();
        foreach (Type type in typeof(KernelWarmUp).Assembly.GetTypes())
        {
            if (type.ContainsGenericParameters || type == unusedMicroKernel || type == typeof(Data.DataViewRowReader) || type == typeof(Data.FeatureMoments))
                continue;
            foreach (MethodInfo method in type.GetMethods(all))
            {
                if (!method.IsAbstract && !method.ContainsGenericParameters &&
                    (method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0)
                    kernels.Add((method, method.GetMethodBody()?.GetILAsByteArray()?.Length ?? 0));
            }
        }
        return kernels.OrderByDescending(k => k.Size).Select(k => k.Method).ToArray();
    }
}
