using System.Runtime.InteropServices;

namespace MlpTrainer.Mpi.Native;

/// <summary>
/// Finds and loads the MPI library: the path or name in <c>MLPTRAINER_MPI_LIBRARY</c> when set, else MPICH's
/// <c>libmpich.so.12</c>. A library that cannot be loaded is an error naming what to install and the variable.
/// </summary>
internal static class MpiLibrary
{
    /// <summary>The environment variable that names another MPI library of the MPICH ABI.</summary>
    public const string Variable = "MLPTRAINER_MPI_LIBRARY";

    /// <summary>MPICH's shared library, which Debian's and Ubuntu's <c>mpich</c> package installs.</summary>
    public const string DefaultName = "libmpich.so.12";

    private static readonly Lazy<(nint Handle, string Name)> Loaded = new(() => Load(Environment.GetEnvironmentVariable(Variable)));

    /// <summary>The loaded library's handle; loads it on first use.</summary>
    public static nint Handle => Loaded.Value.Handle;

    /// <summary>The name or path it was loaded from.</summary>
    public static string Name => Loaded.Value.Name;

    /// <summary>Loads <paramref name="configured"/> (the variable's value) or the default; throws <see cref="DllNotFoundException"/> saying how to get one.</summary>
    public static (nint Handle, string Name) Load(string? configured)
    {
        string name = string.IsNullOrWhiteSpace(configured) ? DefaultName : configured.Trim();
        if (NativeLibrary.TryLoad(name, out nint handle))
        {
            if (!NativeLibrary.TryGetExport(handle, "MPI_Init_thread", out _))
                throw new DllNotFoundException($"{name} loads but has no MPI_Init_thread: it is not an MPI library. Point {Variable} at an MPI library of the MPICH ABI (libmpich.so.12, Intel MPI's libmpi.so.12).");
            return (handle, name);
        }
        throw new DllNotFoundException(string.IsNullOrWhiteSpace(configured)
            ? $"MlpTrainer.Mpi cannot load the MPI library {DefaultName}. Install MPICH (apt-get install mpich), or set {Variable} to the path of another MPI library of the MPICH ABI (Intel MPI's libmpi.so.12, MVAPICH, Cray MPI)."
            : $"MlpTrainer.Mpi cannot load the MPI library '{name}' named by {Variable}. Correct the path, or unset {Variable} to use MPICH's {DefaultName} (apt-get install mpich).");
    }
}
