using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using MlpTrainer.Mpi.Native;

namespace MlpTrainer.Mpi;

/// <summary>
/// The processes of an MPI job (<c>MPI_COMM_WORLD</c>) as the workers of a data-parallel MlpTrainer run: set
/// <see cref="MlpOptions.Workers"/> to it in every process started by <c>mpiexec -n N dotnet app.dll</c>. Sums are
/// <c>MPI_Allreduce(MPI_IN_PLACE, …, MPI_SUM)</c> and broadcasts <c>MPI_Bcast</c>, on the caller's buffers, with MPI's
/// error handler set to return errors, which are thrown as <see cref="MpiException"/>. The MPI library is MPICH's
/// <c>libmpich.so.12</c> (<c>apt-get install mpich</c>) or any library of the MPICH ABI named by the environment
/// variable <c>MLPTRAINER_MPI_LIBRARY</c>. One per process: <see cref="Initialize"/> starts MPI and
/// <see cref="Dispose"/> finalizes it; when a worker fails, call <see cref="Abort"/> so the whole job ends.
/// </summary>
public sealed unsafe class MpiWorkerGroup : MlpWorkerGroup, IDisposable
{
    private static readonly object Gate = new();
    private static MpiWorkerGroup? _current;

    private readonly bool _ownsMpi;
    private bool _disposed;

    private MpiWorkerGroup(int rank, int size, bool ownsMpi)
    {
        Rank = rank;
        Size = size;
        _ownsMpi = ownsMpi;
    }

    /// <summary>The environment variable that names another MPI library of the MPICH ABI than <c>libmpich.so.12</c>.</summary>
    public const string LibraryVariable = MpiLibrary.Variable;

    /// <inheritdoc />
    public override int Rank { get; }

    /// <inheritdoc />
    public override int Size { get; }

    /// <summary>The MPI library in use: the name or path it was loaded from.</summary>
    public static string LibraryName => MpiLibrary.Name;

    /// <summary>Bytes of the buffers this worker has summed and broadcast so far.</summary>
    public long BytesReduced { get; private set; }

    /// <summary>Wall-clock time spent in this worker's collectives so far (waiting for slower workers included).</summary>
    public TimeSpan CollectiveTime => TimeSpan.FromSeconds((double)_collectiveTicks / Stopwatch.Frequency);

    private long _collectiveTicks;

    /// <summary>
    /// Starts MPI in this process (<c>MPI_Init_thread</c>, asking for <c>MPI_THREAD_SERIALIZED</c>: collectives may come
    /// from any one thread at a time) unless something else already has, and returns this process's worker in
    /// <c>MPI_COMM_WORLD</c>. Throws <see cref="DllNotFoundException"/> naming <c>apt-get install mpich</c> and
    /// <see cref="LibraryVariable"/> when no MPI library loads, and <see cref="InvalidOperationException"/> when called
    /// again while a group is open.
    /// </summary>
    public static MpiWorkerGroup Initialize()
    {
        lock (Gate)
        {
            if (_current is { _disposed: false })
                throw new InvalidOperationException("MpiWorkerGroup.Initialize was already called in this process; use that group (one per process) or dispose it first.");
            _ = MpiLibrary.Handle; // a clear error when there is no MPI library
            Check(MpiNative.Finalized(out int finalized), "MPI_Finalized");
            if (finalized != 0)
                throw new InvalidOperationException("MPI was already finalized in this process: it cannot be started again (MPI allows one MPI_Init per process).");
            Check(MpiNative.Initialized(out int initialized), "MPI_Initialized");
            bool owns = initialized == 0;
            if (owns)
            {
                Check(MpiNative.InitThread(0, 0, MpiHandles.ThreadSerialized, out int provided), "MPI_Init_thread");
                if (provided < MpiHandles.ThreadSerialized)
                    throw new InvalidOperationException($"The MPI library {MpiLibrary.Name} provides thread level {provided}, below MPI_THREAD_SERIALIZED, which .NET needs (training may call MPI from any one thread).");
            }
            Check(MpiNative.CommSetErrhandler(MpiHandles.CommWorld, MpiHandles.ErrorsReturn), "MPI_Comm_set_errhandler");
            Check(MpiNative.CommRank(MpiHandles.CommWorld, out int rank), "MPI_Comm_rank");
            Check(MpiNative.CommSize(MpiHandles.CommWorld, out int size), "MPI_Comm_size");
            _current = new MpiWorkerGroup(rank, size, owns);
            return _current;
        }
    }

    /// <inheritdoc />
    public override void AllReduceSum(Span<float> values) => AllReduce(values, MpiHandles.Float);

    /// <inheritdoc />
    public override void AllReduceSum(Span<double> values) => AllReduce(values, MpiHandles.Double);

    /// <inheritdoc />
    public override void Broadcast(Span<byte> bytes, int root)
    {
        ThrowIfDisposed();
        long started = Stopwatch.GetTimestamp();
        fixed (byte* buffer = bytes)
            Check(MpiNative.Bcast(buffer, bytes.Length, MpiHandles.Byte, root, MpiHandles.CommWorld), "MPI_Bcast");
        Count(bytes.Length, started);
    }

    /// <summary>Every worker's <paramref name="value"/>, by rank (<c>MPI_Allgather</c>).</summary>
    public int[] AllGather(int value)
    {
        ThrowIfDisposed();
        var all = new int[Size];
        fixed (int* receive = all)
            Check(MpiNative.Allgather(&value, 1, MpiHandles.Int, receive, 1, MpiHandles.Int, MpiHandles.CommWorld), "MPI_Allgather");
        return all;
    }

    /// <summary>Waits until every worker has called it (<c>MPI_Barrier</c>).</summary>
    public void Barrier()
    {
        ThrowIfDisposed();
        Check(MpiNative.Barrier(MpiHandles.CommWorld), "MPI_Barrier");
    }

    /// <summary>
    /// Ends every process of the job with <paramref name="errorCode"/> (<c>MPI_Abort</c>). Call it when this worker fails
    /// while the others may be waiting for it in a collective; finalizing instead could leave them waiting.
    /// </summary>
    public void Abort(int errorCode)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        MpiNative.Abort(MpiHandles.CommWorld, errorCode);
    }

    /// <summary>Finalizes MPI (<c>MPI_Finalize</c>) when <see cref="Initialize"/> started it. Every worker must dispose its group.</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            if (_ownsMpi)
                Check(MpiNative.Finalize(), "MPI_Finalize");
        }
    }

    private void AllReduce<T>(Span<T> values, int datatype) where T : unmanaged
    {
        ThrowIfDisposed();
        long started = Stopwatch.GetTimestamp();
        fixed (T* buffer = values)
            Check(MpiNative.Allreduce(MpiHandles.InPlace, buffer, values.Length, datatype, MpiHandles.Sum, MpiHandles.CommWorld), "MPI_Allreduce", Rank, Size);
        Count(values.Length * sizeof(T), started);
    }

    private void Count(long bytes, long started)
    {
        BytesReduced += bytes;
        _collectiveTicks += Stopwatch.GetTimestamp() - started;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private static void Check(int code, string call, int rank = -1, int size = 0)
    {
        if (code == MpiHandles.Success)
            return;
        string where = rank >= 0 ? $" on worker {rank} of {size}" : "";
        throw new MpiException(call, code, $"{call} failed{where}: {ErrorText(code)} (MPI error {code}). A worker that stopped or failed ends the job; see the other workers' output.");
    }

    private static string ErrorText(int code)
    {
        byte* text = stackalloc byte[MpiHandles.MaxErrorString];
        return MpiNative.ErrorString(code, text, out int length) == MpiHandles.Success
            ? Encoding.ASCII.GetString(text, Math.Clamp(length, 0, MpiHandles.MaxErrorString))
            : "unknown error";
    }
}
