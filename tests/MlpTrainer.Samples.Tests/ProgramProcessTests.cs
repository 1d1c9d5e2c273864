using System.Diagnostics;
using MlpTrainer.Samples.Tests.Support;

namespace MlpTrainer.Samples.Tests;

/// <summary>
/// The samples program as a separate process, as a user starts it: output redirected (no terminal), errors on the
/// error stream, the exit code. The build copies the program next to these tests.
/// </summary>
public sealed class ProgramProcessTests
{
    [Fact]
    public void Without_arguments_the_main_sample_runs_to_the_end()
    {
        using var folder = new TempFolder();

        SampleResult result = RunProgram(folder.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Micro-accuracy", result.Output);
        Assert.Contains("Predictions of the reloaded model", result.Output);
        Assert.True(File.Exists(Path.Combine(folder.Path, "iris-model.zip")), "The default model path is iris-model.zip in the current folder.");
    }

    [Fact]
    public void An_error_is_one_line_on_the_error_stream_with_exit_code_1()
    {
        using var folder = new TempFolder();

        SampleResult result = RunProgram(folder.Path, "csv", "missing.csv", "--label", "y");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Equal("error: The file 'missing.csv' does not exist.", result.Errors.Trim());
    }

    private static SampleResult RunProgram(string workingDirectory, params string[] args)
    {
        string program = Path.Combine(AppContext.BaseDirectory, "MlpTrainer.Samples.dll");
        string host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(program);
        foreach (string arg in args)
            start.ArgumentList.Add(arg);

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The samples program did not finish within 60 s: {string.Join(' ', args)}");
        }
        return new SampleResult(process.ExitCode, output.Result, errors.Result);
    }
}
