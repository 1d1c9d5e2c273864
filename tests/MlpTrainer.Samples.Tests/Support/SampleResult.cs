namespace MlpTrainer.Samples.Tests.Support;

/// <summary>What one run of the samples program did: its exit code, its output and its error output.</summary>
public sealed record SampleResult(int ExitCode, string Output, string Errors)
{
    public override string ToString() => $"exit code {ExitCode}\n--- output ---\n{Output}\n--- errors ---\n{Errors}";
}
