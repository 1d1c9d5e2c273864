using MlpTrainer.Samples.Tests.Support;

namespace MlpTrainer.Samples.Tests;

/// <summary><c>--help</c> lists every sample and option.</summary>
public sealed class HelpTests
{
    [Fact]
    public void Help_lists_every_command()
    {
        SampleResult result = SampleRunner.Run("--help");

        Assert.Equal(0, result.ExitCode);
        foreach (string text in new[] { "Iris", "--model", "--seed", "fashion-mnist", "csv <file>", "cross-validate" })
            Assert.Contains(text, result.Output);
    }

    [Theory]
    [InlineData("fashion-mnist", "--epochs", "--train-rows", "--seed", "--plot", "--data-dir")]
    [InlineData("cross-validate", "--candidates", "--folds", "--epochs", "--seed")]
    public void Help_of_a_command_lists_its_options(string command, params string[] options)
    {
        SampleResult result = SampleRunner.Run(command, "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (string option in options)
            Assert.Contains(option, result.Output);
    }

    [Fact]
    public void Unknown_command_fails()
    {
        SampleResult result = SampleRunner.Run("nonsense");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("nonsense", result.Errors);
    }
}
