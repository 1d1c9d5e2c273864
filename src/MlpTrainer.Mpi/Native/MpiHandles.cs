namespace MlpTrainer.Mpi.Native;

/// <summary>
/// The MPICH ABI's predefined handles and constants (from MPICH 4.0's <c>mpi.h</c>; MPICH, Intel MPI, MVAPICH and Cray
/// MPI share them). Handles are 32-bit integers in this ABI; Open MPI's are pointers and do not fit.
/// </summary>
internal static class MpiHandles
{
    public const int CommWorld = 0x44000000;     // MPI_COMM_WORLD
    public const int Byte = 0x4c00010d;          // MPI_BYTE
    public const int Int = 0x4c000405;           // MPI_INT
    public const int Float = 0x4c00040a;         // MPI_FLOAT
    public const int Double = 0x4c00080b;        // MPI_DOUBLE
    public const int Sum = 0x58000003;           // MPI_SUM
    public const int ErrorsReturn = 0x54000001;  // MPI_ERRORS_RETURN
    public const int Success = 0;                // MPI_SUCCESS
    public const int ThreadSerialized = 2;       // MPI_THREAD_SERIALIZED
    public const int MaxErrorString = 512;       // MPI_MAX_ERROR_STRING

    /// <summary>MPI_IN_PLACE: <c>(void*)-1</c>.</summary>
    public static readonly nint InPlace = -1;
}
