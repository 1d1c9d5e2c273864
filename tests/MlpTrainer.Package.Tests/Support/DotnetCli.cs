using System.Diagnostics;
using MlpTrainer.Tests.Support;

namespace MlpTrainer.Package.Tests.Support;

/// <summary>
/// Runs the dotnet CLI (the host running these tests) as a child process: no build servers or reused nodes left
/// behind, none of the test host's MSBuild settings passed on, output captured, killed past its time limit.
/// </summary>
public static class DotnetCli
{
    /// <summary>What a finished command returned and printed.</summary>
    public sealed record Result(int ExitCode, string Output, string Error, TimeSpan Elapsed)
    {
        public override string ToString() => $"exit code {ExitCode} after {Elapsed.TotalSeconds:F1} s\n{Output}\n{Error}";
    }

    /// <summary>Runs <c>dotnet <paramref name="arguments"/></c> in <paramref name="workingDirectory"/>.</summary>
    /// <exception cref="TimeoutException">It did not finish within <paramref name="timeout"/>; it was killed.</exception>
    public static Result Run(string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost.Path)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        // Settings the test host inherits from the build that started it; a nested build or app must not see them.
        foreach (string name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
            start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;

        var clock = Stopwatch.StartNew();
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {start.FileName}.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {timeout}.");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result, clock.Elapsed);
    }

    /// <summary>The build switches every nested build gets: quiet, no lingering build servers or MSBuild nodes.</summary>
    public static readonly string[] BuildSwitches = { "-nologo", "-v", "q", "--disable-build-servers", "-nodeReuse:false", "-p:UseSharedCompilation=false" };
}
