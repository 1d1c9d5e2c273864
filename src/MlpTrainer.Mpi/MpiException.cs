namespace MlpTrainer.Mpi;

/// <summary>An MPI call returned an error (MlpTrainer.Mpi sets <c>MPI_ERRORS_RETURN</c>, so errors are reported, not fatal).</summary>
public sealed class MpiException : Exception
{
    /// <param name="call">The MPI function that failed.</param>
    /// <param name="errorCode">Its MPI error code.</param>
    /// <param name="message">The whole message, with MPI's own text for the code.</param>
    public MpiException(string call, int errorCode, string message) : base(message)
    {
        Call = call;
        ErrorCode = errorCode;
    }

    /// <summary>The MPI function that failed, e.g. <c>MPI_Allreduce</c>.</summary>
    public string Call { get; }

    /// <summary>The MPI error code it returned.</summary>
    public int ErrorCode { get; }
}
