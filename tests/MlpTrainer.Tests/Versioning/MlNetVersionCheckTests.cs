using System.Text.RegularExpressions;
using MlpTrainer.Tests.Persistence;

namespace MlpTrainer.Tests.Versioning;

/// <summary>
/// MlpTrainer runs only on the ML.NET versions its bridge was built for. A mismatch is simulated by handing the check
/// the versions another ML.NET would report; the real check reads the assemblies loaded in this process.
/// </summary>
public sealed class MlNetVersionCheckTests
{
    private static (string, string?)[] MlNet(string core, string? data, string trainers)
        => new (string, string?)[] { ("Microsoft.ML.Core", core), ("Microsoft.ML.Data", data), ("Microsoft.ML.StandardTrainers", trainers) };

    [Fact]
    public void The_MlNet_loaded_with_these_tests_is_supported()
    {
        (string Assembly, string? Version)[] loaded = MlNetVersionCheck.LoadedAssemblies().ToArray();

        Assert.Equal(new[] { "Microsoft.ML.Core", "Microsoft.ML.Data", "Microsoft.ML.StandardTrainers" }, loaded.Select(a => a.Assembly).Order());
        Assert.All(loaded, a => Assert.StartsWith(MlNetVersionCheck.Minimum.ToString(3), a.Version));
        Assert.Null(Record.Exception(MlNetVersionCheck.ThrowIfUnsupported));
        Assert.Null(Record.Exception(() => MlNetVersionCheck.ThrowIfUnsupported(loaded)));
    }

    [Fact]
    public void A_later_MlNet_is_refused_with_the_supported_range_and_the_loaded_version_named()
    {
        var e = Assert.Throws<InvalidOperationException>(() => MlNetVersionCheck.ThrowIfUnsupported(MlNet("5.1.0+0a1b2c", "5.1.0+0a1b2c", "5.1.0+0a1b2c")));

        Assert.Contains($"supports ML.NET {MlNetVersionCheck.Range}", e.Message);
        Assert.Contains("Microsoft.ML.Core 5.1.0 and Microsoft.ML.Data 5.1.0 and Microsoft.ML.StandardTrainers 5.1.0 are loaded", e.Message);
        Assert.Contains($"reference Microsoft.ML {MlNetVersionCheck.Minimum}", e.Message);
    }

    [Fact]
    public void An_earlier_MlNet_is_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => MlNetVersionCheck.ThrowIfUnsupported(MlNet("4.0.2+ff", "4.0.2+ff", "4.0.2+ff")));

        Assert.Contains("Microsoft.ML.Data 4.0.2", e.Message);
    }

    [Fact]
    public void One_assembly_of_another_version_is_refused_by_name()
    {
        var e = Assert.Throws<InvalidOperationException>(() => MlNetVersionCheck.ThrowIfUnsupported(MlNet("5.0.1+aa", "5.0.1+aa", "6.0.0+bb")));

        Assert.Contains("and Microsoft.ML.StandardTrainers 6.0.0 is loaded", e.Message);
        Assert.DoesNotContain("Microsoft.ML.Core 5.0.1", e.Message);
    }

    [Fact]
    public void A_preview_of_the_first_unsupported_version_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => MlNetVersionCheck.ThrowIfUnsupported(MlNet("5.1.0-preview.1.25", "5.1.0-preview.1.25", "5.1.0-preview.1.25")));
    }

    [Fact]
    public void A_later_patch_release_within_the_range_is_accepted()
    {
        Exception? refused = Record.Exception(() => MlNetVersionCheck.ThrowIfUnsupported(MlNet("5.0.9+cc", "5.0.9+cc", "5.0.9+cc")));

        Assert.Null(refused);
    }

    [Fact]
    public void An_assembly_without_a_version_is_refused_as_of_unknown_version()
    {
        var e = Assert.Throws<InvalidOperationException>(() => MlNetVersionCheck.ThrowIfUnsupported(MlNet("5.0.1", null, "5.0.1")));

        Assert.Contains("Microsoft.ML.Data (of unknown version) is loaded", e.Message);
    }

    [Fact]
    public void The_supported_range_is_the_one_Directory_Build_props_gives_the_package()
    {
        string props = File.ReadAllText(Path.Combine(SourceTree.Root, "Directory.Build.props"));
        string limit = Regex.Match(props, "<MlNetVersionLimit>(.*)</MlNetVersionLimit>").Groups[1].Value;
        string minimum = Regex.Match(props, "<MlNetVersion>(.*)</MlNetVersion>").Groups[1].Value;

        Assert.Equal($"[{minimum}, {limit})", MlNetVersionCheck.Range);
    }
}
