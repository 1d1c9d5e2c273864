using System.Diagnostics;
using System.Text;
using MlpTrainer.Tests.Support;

namespace MlpTrainer.Mpi.Tests.Support;

/// <summary>
/// One run of tests/MlpTrainer.Mpi.Child under <c>mpiexec -n N</c>, as a separate job: its exit code, output, error
/// and how long it took. The child's build is found beside this test assembly's output ("MlpTrainer.Mpi.Tests" replaced
/// by "MlpTrainer.Mpi.Child"; the project reference builds it first). No mpiexec is an error naming the package.
/// </summary>
internal sealed class MpiJob : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly StringBuilder _output = new(), _error = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private MpiJob(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_error) _error.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The child program's path.</summary>
    public static string ChildDll
    {
        get
        {
            string dir = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
            string child = dir.Replace("MlpTrainer.Mpi.Tests", "MlpTrainer.Mpi.Child");
            string dll = Path.Combine(child, "MlpTrainer.Mpi.Child.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"The MPI test program is not built at {dll}: build MlpExtension.sln (the test project references it).", dll);
        }
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public string Error { get { lock (_error) return _error.ToString(); } }

    public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public int ExitCode => _process.ExitCode;

    public TimeSpan Elapsed { get; private set; }

    /// <summary>Starts <c>mpiexec -n <paramref name="workers"/> dotnet MlpTrainer.Mpi.Child.dll <paramref name="arguments"/></c>.</summary>
    public static MpiJob Start(int workers, params string[] arguments)
    {
        var start = new ProcessStartInfo("mpiexec")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "-n", workers.ToString(), DotnetHost.Path, ChildDll }.Concat(arguments))
            start.ArgumentList.Add(argument);
        try
        {
            return new MpiJob(Process.Start(start)!);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("mpiexec cannot be started: install MPICH (apt-get install mpich), which .ci/run installs.", e);
        }
    }

    /// <summary>Runs a job to its end (killing it past <see cref="Timeout"/>, which fails the test).</summary>
    public static MpiJob Run(int workers, params string[] arguments)
    {
        MpiJob job = Start(workers, arguments);
        job.WaitForExit(Timeout);
        return job;
    }

    /// <summary>Waits until a line of output starts with <paramref name="prefix"/>, and returns it.</summary>
    public string WaitForLine(string prefix, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            string? line = OutputLines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (line is not null)
                return line;
            if (_process.HasExited)
                break;
            Thread.Sleep(50);
        }
        throw new TimeoutException($"No line '{prefix}…' within {timeout}: {this}");
    }

    public void WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mpiexec did not finish within {timeout}: {this}");
        }
        _process.WaitForExit();
        Elapsed = _clock.Elapsed;
    }

    public override string ToString() => $"mpiexec {string.Join(' ', _process.StartInfo.ArgumentList)}\nstdout:\n{Output}\nstderr:\n{Error}";

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}

/// <summary>MPI jobs run one at a time: each worker busy-waits in its collectives, and this machine has few cores.</summary>
[CollectionDefinition(nameof(MpiJobs), DisableParallelization = true)]
public sealed class MpiJobs;
