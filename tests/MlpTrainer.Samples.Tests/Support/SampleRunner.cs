using MlpTrainer.Samples.Commands;

namespace MlpTrainer.Samples.Tests.Support;

/// <summary>Runs the samples program's command line in-process, exactly as <c>Program.cs</c> does, with recording consoles.</summary>
public static class SampleRunner
{
    public static SampleResult Run(params string[] args)
    {
        var output = new RecordingConsole();
        var errors = new RecordingConsole();
        int exitCode = SampleCli.Run(args, output.Console, errors.Console);
        return new SampleResult(exitCode, output.Text, errors.Text);
    }
}
