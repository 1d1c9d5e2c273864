using System.Diagnostics;
using MlpTrainer.Tests.Persistence;
using MlpTrainer.Tests.Support;

namespace MlpTrainer.Tests.TrainingControl;

/// <summary>
/// Starts tests/MlpTrainer.TrainingChild (<c>dotnet MlpTrainer.TrainingChild.dll --checkpoint-dir … --epochs … --seed …</c>).
/// Found, or built when missing or stale (its own sources and the two it links from this project), as every
/// <see cref="RepositoryProgram"/> is.
/// </summary>
internal static class TrainingChildProcess
{
    private const string TestsName = "MlpTrainer.Tests";

    // The child compiles two files of this test project (linked in its .csproj).
    private static readonly RepositoryProgram Child = new("MlpTrainer.TrainingChild",
        Path.Combine(SourceTree.Root, "tests", TestsName, "Learning", "Datasets.cs"),
        Path.Combine(SourceTree.Root, "tests", TestsName, "TrainingControl", "ResumeProblem.cs"));

    /// <summary>A running child; standard output and error are collected as they come.</summary>
    public sealed class Running : IDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _output = new(), _error = new();

        internal Running(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_error) _error.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public bool HasExited => _process.HasExited;

        public int ExitCode => _process.ExitCode;

        public void KillAndWait()
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It had already exited.
            }
            _process.WaitForExit();
        }

        public override string ToString()
        {
            lock (_output)
                lock (_error)
                    return $"child {(_process.HasExited ? $"exit code {_process.ExitCode}" : "still running")}\nstdout:\n{_output}\nstderr:\n{_error}";
        }

        public void Dispose()
        {
            if (!_process.HasExited)
                KillAndWait();
            _process.Dispose();
        }
    }

    public static Running Start(params string[] arguments)
    {
        ProcessStartInfo start = Child.StartInfo(arguments);
        return new Running(Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {start.FileName}."));
    }
}
