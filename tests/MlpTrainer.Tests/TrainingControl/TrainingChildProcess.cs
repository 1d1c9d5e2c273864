using System.Diagnostics;
using System.Reflection;
using MlpTrainer.Tests.Persistence;

namespace MlpTrainer.Tests.TrainingControl;

/// <summary>
/// Starts tests/MlpTrainer.TrainingChild (<c>dotnet MlpTrainer.TrainingChild.dll --checkpoint-dir … --epochs … --seed …</c>).
/// <para>
/// Found the way the persistence tests find their model loader: beside this test assembly's output with
/// "MlpTrainer.Tests" replaced by "MlpTrainer.TrainingChild" in the path (<c>tests/MlpTrainer.TrainingChild/bin/Debug/net10.0/</c>
/// by default, <c>&lt;artifacts&gt;/bin/MlpTrainer.TrainingChild/debug/</c> with <c>--artifacts-path</c>). When it is missing,
/// older than its sources (its own and the two it links from this project), or carries another MlpTrainer.dll than the one
/// these tests run against, it is built once with <c>dotnet build</c> in the same configuration and layout.
/// </para>
/// </summary>
internal static class TrainingChildProcess
{
    private const string ChildName = "MlpTrainer.TrainingChild";
    private const string TestsName = "MlpTrainer.Tests";
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    private static readonly Lazy<string> ChildDll = new(LocateOrBuild, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string ProjectDirectory => Path.Combine(SourceTree.Root, "tests", ChildName);

    private static string Project => Path.Combine(ProjectDirectory, ChildName + ".csproj");

    /// <summary>The source files the child compiles from this test project (linked in its .csproj).</summary>
    private static IEnumerable<string> LinkedSources => new[]
    {
        Path.Combine(SourceTree.Root, "tests", TestsName, "Learning", "Datasets.cs"),
        Path.Combine(SourceTree.Root, "tests", TestsName, "TrainingControl", "ResumeProblem.cs"),
    };

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
        var start = NewStartInfo(DotnetHost(), new[] { ChildDll.Value }.Concat(arguments));
        return new Running(Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {start.FileName}."));
    }

    private static string LocateOrBuild()
    {
        string testDir = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
        string[] parts = testDir.Split(Path.DirectorySeparatorChar);
        int at = Array.LastIndexOf(parts, TestsName);
        if (at < 0)
            throw new InvalidOperationException($"The test output folder {testDir} has no '{TestsName}' segment to find the child beside it.");
        parts[at] = ChildName;
        string childDir = string.Join(Path.DirectorySeparatorChar, parts);
        string childDll = Path.Combine(childDir, ChildName + ".dll");

        string? staleness = Staleness(childDir, childDll);
        if (staleness is null)
            return childDll;

        // First without building MlpTrainer again: the child then deploys the MlpTrainer.dll that was built with these tests
        // (and a source tree being edited meanwhile cannot break it). If that copy is not ours, build the whole graph.
        var failures = new List<string>();
        foreach (bool dependencies in new[] { false, true })
        {
            var arguments = new List<string> { "build", Project, "-c", Configuration(), "-nologo", "-v", "q", "-nodeReuse:false", "-p:UseSharedCompilation=false" };
            if (!dependencies)
                arguments.Add("--no-dependencies");
            if (at >= 2 && parts[at - 1] == "bin")
                arguments.AddRange(new[] { "--artifacts-path", string.Join(Path.DirectorySeparatorChar, parts[..(at - 1)]) });
            (int exitCode, string output) = Execute(DotnetHost(), arguments, BuildTimeout);
            string? after = Staleness(childDir, childDll);
            if (exitCode == 0 && after is null)
                return childDll;
            failures.Add($"dotnet {string.Join(' ', arguments)} (exit code {exitCode}) left it unusable: {after ?? "(no reason)"}\n{output}");
        }
        throw new InvalidOperationException($"Cannot build the training child ({staleness}):\n{string.Join("\n", failures)}");
    }

    /// <summary>Why the child at <paramref name="childDll"/> cannot be used as it is, or null.</summary>
    private static string? Staleness(string childDir, string childDll)
    {
        if (!File.Exists(childDll))
            return $"{childDll} does not exist";
        string ours = Path.Combine(AppContext.BaseDirectory, "MlpTrainer.dll"), theirs = Path.Combine(childDir, "MlpTrainer.dll");
        if (!File.Exists(theirs) || !File.ReadAllBytes(ours).AsSpan().SequenceEqual(File.ReadAllBytes(theirs)))
            return $"{theirs} is not the MlpTrainer.dll these tests use ({ours})";
        DateTime built = File.GetLastWriteTimeUtc(childDll);
        string? newer = Directory.EnumerateFiles(ProjectDirectory, "*.cs*", SearchOption.TopDirectoryOnly)
            .Concat(LinkedSources)
            .FirstOrDefault(f => File.GetLastWriteTimeUtc(f) > built);
        return newer is null ? null : $"{newer} is newer than {childDll}";
    }

    private static string Configuration()
        => typeof(TrainingChildProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The dotnet host running these tests, so the child gets the same runtime.</summary>
    private static string DotnetHost()
    {
        string? fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
            return fromSdk;
        string? current = Environment.ProcessPath;
        return current != null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }

    private static ProcessStartInfo NewStartInfo(string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        // Settings the test host inherits from the build that started it; a nested build or app must not see them.
        foreach (string name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
            start.Environment.Remove(name);
        return start;
    }

    private static (int ExitCode, string Output) Execute(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        ProcessStartInfo start = NewStartInfo(fileName, arguments);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {fileName}.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}.");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
