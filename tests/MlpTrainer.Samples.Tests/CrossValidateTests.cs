using System.Text.RegularExpressions;
using MlpTrainer.Samples.Tests.Support;

namespace MlpTrainer.Samples.Tests;

/// <summary>The <c>cross-validate</c> command, with few epochs and folds so it runs in about a second.</summary>
public sealed class CrossValidateTests
{
    [Fact]
    public void Compares_candidates_by_mean_and_deviation_and_names_the_winner()
    {
        SampleResult result = SampleRunner.Run("cross-validate", "--epochs", "15", "--folds", "3", "--candidates", "2", "16,16");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("3-fold cross-validation", result.Output);
        Match small = Regex.Match(result.Output, @"│ 2\s+│\s+([0-9.]+) ± ([0-9.]+) │");
        Match large = Regex.Match(result.Output, @"│ 16,16\s+│\s+([0-9.]+) ± ([0-9.]+) │");
        Assert.True(small.Success && large.Success, result.ToString());
        Assert.Contains("Mean micro-accuracy", result.Output);   // the bar chart
        string winner = double.Parse(large.Groups[1].Value) >= double.Parse(small.Groups[1].Value) ? "16,16" : "2";
        Assert.Contains($"Winner: hidden layers {winner} ", result.Output);
    }

    [Fact]
    public void A_bad_candidate_is_a_parse_error()
    {
        SampleResult result = SampleRunner.Run("cross-validate", "--candidates", "16", "0");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("'0' is not a list of hidden layer sizes", result.Errors);
    }
}
