using MlpTrainer.Tests.Persistence;
using PublicApiGenerator;

namespace MlpTrainer.Tests.PublicApi;

/// <summary>
/// Locks MlpTrainer's public API: the surface of the built library, written as C#-like text, must equal the baseline
/// checked in beside this file. A deliberate change is accepted by regenerating the baseline (README, "Public API"):
/// <c>MLPTRAINER_ACCEPT_API=1 dotnet test tests/MlpTrainer.Tests --filter PublicApiBaseline</c>, then review the diff.
/// </summary>
public sealed class PublicApiBaselineTests
{
    private const string AcceptVariable = "MLPTRAINER_ACCEPT_API";

    public static string BaselinePath => Path.Combine(SourceTree.Root, "tests", "MlpTrainer.Tests", "PublicApi", "MlpTrainer.api.txt");

    [Fact]
    public void Public_api_equals_the_checked_in_baseline()
    {
        string actual = Normalize(PublicSurface.Library.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }));
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
            File.WriteAllText(BaselinePath, actual);
        string baseline = File.Exists(BaselinePath) ? Normalize(File.ReadAllText(BaselinePath)) : "";

        Assert.True(baseline == actual,
            $"MlpTrainer's public API differs from {BaselinePath}. If the change is intended, regenerate the baseline with\n" +
            $"  {AcceptVariable}=1 dotnet test tests/MlpTrainer.Tests --filter PublicApiBaseline\nand review its diff. The lines that differ:\n" +
            Difference(baseline, actual));
    }

    private static string Normalize(string text) => text.ReplaceLineEndings("\n").TrimEnd() + "\n";

    /// <summary>The lines only in the baseline (-) and only in the built library (+).</summary>
    private static string Difference(string baseline, string actual)
    {
        string[] before = baseline.Split('\n'), after = actual.Split('\n');
        return string.Join("\n", before.Except(after).Select(l => "- " + l).Concat(after.Except(before).Select(l => "+ " + l)));
    }
}
