using System.Globalization;
using System.Text.RegularExpressions;

namespace MlpTrainer.Samples.Tests.Support;

/// <summary>Reads values out of the samples' tables.</summary>
public static class OutputAssert
{
    /// <summary>The number in the table row named <paramref name="metric"/>, e.g. "│ Micro-accuracy │ 0.9388 │".</summary>
    public static double Metric(SampleResult result, string metric)
    {
        Match match = Regex.Match(result.Output, $@"{Regex.Escape(metric)}\s*│\s*(-?[0-9]+\.[0-9]+)");
        Assert.True(match.Success, $"No '{metric}' row in the output.\n{result}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>The run failed with exactly one line on the error output, containing every one of <paramref name="parts"/>.</summary>
    public static string SingleErrorLine(SampleResult result, params string[] parts)
    {
        Assert.True(result.ExitCode != 0, $"Expected a failure.\n{result}");
        string[] lines = result.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string line = Assert.Single(lines);
        foreach (string part in parts)
            Assert.Contains(part, line);
        return line;
    }
}
