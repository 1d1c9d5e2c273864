using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MlpTrainer.Kernels;

/// <summary>
/// Compiles the training step's kernels on a thread-pool thread, once per process, while <c>Fit</c> checks its columns
/// and reads the data. The kernels are marked <see cref="MethodImplOptions.AggressiveOptimization"/> (optimised from
/// their first call rather than after tiering), so each is compiled fully on first use: about 30 ms of compiling, which
/// otherwise lands in the first minibatch and made the first epoch the slowest. Started early, it overlaps the
/// estimator's checks and the density probe, which leave a core idle. Compiling ahead changes no result; a method
/// the training thread reaches first is simply compiled there, once, as before.
/// </summary>
internal static class KernelWarmUp
{
    private static int s_started;

    /// <summary>Starts compiling, unless it was started before in this process.</summary>
    public static void Start()
    {
        if (Interlocked.Exchange(ref s_started, 1) != 0)
            return;
        ThreadPool.UnsafeQueueUserWorkItem(static _ => CompileAll(), null);
    }

    /// <summary>Compiles every kernel of the training step now, on the calling thread; returns how many methods.</summary>
    internal static int CompileAll()
    {
        int compiled = 0;
        foreach (MethodInfo method in Kernels())
        {
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
    /// The non-generic methods of this assembly marked <see cref="MethodImplOptions.AggressiveOptimization"/>, those
    /// that read the data view (compiled by the reader as it starts) and the micro-kernels this processor does not use
    /// left out.
    /// </summary>
    internal static IEnumerable<MethodInfo> Kernels()
    {
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        Type? unusedMicroKernel = Vector512.IsHardwareAccelerated ? typeof(Vector256MicroKernel) : typeof(Vector512MicroKernel);
        foreach (Type type in typeof(KernelWarmUp).Assembly.GetTypes())
        {
            if (type.ContainsGenericParameters || type == unusedMicroKernel || type == typeof(Data.DataViewRowReader) || type == typeof(Data.FeatureMoments))
                continue;
            foreach (MethodInfo method in type.GetMethods(all))
            {
                if (!method.IsAbstract && !method.ContainsGenericParameters &&
                    (method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0)
                    yield return method;
            }
        }
    }
}
