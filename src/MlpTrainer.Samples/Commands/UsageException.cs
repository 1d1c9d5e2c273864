namespace MlpTrainer.Samples.Commands;

/// <summary>
/// The user's input cannot be used (a missing file or column, a label that does not suit the task, data not installed).
/// The command prints the message as one line on the error output and exits with code 1; no stack trace.
/// </summary>
public sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }
}
