using System.Diagnostics;
using System.Reflection;
using MlpTrainer.Tests.Persistence;

namespace MlpTrainer.Tests.Support;

/// <summary>
/// A console program of this repository that tests run as a separate process (tests/MlpTrainer.ModelLoader,
/// tests/MlpTrainer.TrainingChild). Its build is found beside this test assembly's output, with "MlpTrainer.Tests"
/// replaced by the program's name in the path (<c>tests/&lt;name&gt;/bin/Debug/net10.0/</c> by default,
/// <c>&lt;artifacts&gt;/bin/&lt;name&gt;/debug/</c> with <c>--artifacts-path</c>). When it is missing, older than its
/// sources, or carries another MlpTrainer.dll than the one these tests run against, it is built once with
/// <c>dotnet build</c> in the same configuration and layout: first without its dependencies, so it deploys the
/// MlpTrainer.dll built with these tests (a source tree being edited meanwhile cannot break it), then the whole graph.
/// It runs on the same dotnet host as the tests.
/// </summary>
internal sealed class RepositoryProgram
{
    private const string TestsName = "MlpTrainer.Tests";
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);

    private readonly string _name;
    private readonly string[] _linkedSources;
    private readonly Lazy<string> _dll;

    /// <param name="name">The project's name, which is also its folder under tests/.</param>
    /// <param name="linkedSources">Source files the project compiles from elsewhere (their changes make it stale).</param>
    public RepositoryProgram(string name, params string[] linkedSources)
    {
        _name = name;
        _linkedSources = linkedSources;
        _dll = new Lazy<string>(LocateOrBuild, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string ProjectDirectory => Path.Combine(SourceTree.Root, "tests", _name);

    public string Project => Path.Combine(ProjectDirectory, _name + ".csproj");

    /// <summary>The built program, located or built on first use.</summary>
    public string Dll => _dll.Value;

    /// <summary>A start description running the program with <paramref name="arguments"/>, its output redirected.</summary>
    public ProcessStartInfo StartInfo(IEnumerable<string> arguments) => NewStartInfo(DotnetHost.Path, new[] { Dll }.Concat(arguments));

    /// <summary>Runs a process to its end; kills it and throws <see cref="TimeoutException"/> past <paramref name="timeout"/>.</summary>
    public static (int ExitCode, string StandardOutput, string StandardError) Execute(ProcessStartInfo start, TimeSpan timeout)
    {
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {start.FileName}.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}.");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private string LocateOrBuild()
    {
        string testDir = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
        string[] parts = testDir.Split(Path.DirectorySeparatorChar);
        int at = Array.LastIndexOf(parts, TestsName);
        if (at < 0)
            throw new InvalidOperationException($"The test output folder {testDir} has no '{TestsName}' segment to find {_name} beside it.");
        parts[at] = _name;
        string programDir = string.Join(Path.DirectorySeparatorChar, parts);
        string programDll = Path.Combine(programDir, _name + ".dll");

        string? staleness = Staleness(programDir, programDll);
        if (staleness is null)
            return programDll;

        var failures = new List<string>();
        foreach (bool dependencies in new[] { false, true })
        {
            var arguments = new List<string> { "build", Project, "-c", Configuration(), "-nologo", "-v", "q", "-nodeReuse:false", "-p:UseSharedCompilation=false" };
            if (!dependencies)
                arguments.Add("--no-dependencies");
            if (at >= 2 && parts[at - 1] == "bin")
                arguments.AddRange(new[] { "--artifacts-path", string.Join(Path.DirectorySeparatorChar, parts[..(at - 1)]) });
            (int exitCode, string stdout, string stderr) = Execute(NewStartInfo(DotnetHost.Path, arguments), BuildTimeout);
            string? after = Staleness(programDir, programDll);
            if (exitCode == 0 && after is null)
                return programDll;
            failures.Add($"dotnet {string.Join(' ', arguments)} (exit code {exitCode}) left it unusable: {after ?? "(no reason)"}\n{stdout}\n{stderr}");
        }
        throw new InvalidOperationException($"Cannot build {_name} ({staleness}):\n{string.Join("\n", failures)}");
    }

    /// <summary>Why the program at <paramref name="programDll"/> cannot be used as it is, or null.</summary>
    private string? Staleness(string programDir, string programDll)
    {
        if (!File.Exists(programDll))
            return $"{programDll} does not exist";
        string ours = Path.Combine(AppContext.BaseDirectory, "MlpTrainer.dll"), theirs = Path.Combine(programDir, "MlpTrainer.dll");
        if (!File.Exists(theirs) || !File.ReadAllBytes(ours).AsSpan().SequenceEqual(File.ReadAllBytes(theirs)))
            return $"{theirs} is not the MlpTrainer.dll these tests use ({ours})";
        DateTime built = File.GetLastWriteTimeUtc(programDll);
        string? newer = Directory.EnumerateFiles(ProjectDirectory, "*.cs*", SearchOption.TopDirectoryOnly)
            .Concat(_linkedSources)
            .FirstOrDefault(f => File.GetLastWriteTimeUtc(f) > built);
        return newer is null ? null : $"{newer} is newer than {programDll}";
    }

    private static string Configuration()
        => typeof(RepositoryProgram).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

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
}
