using System.Globalization;
using System.Text.RegularExpressions;
using MlpTrainer.Package.Tests.Support;
using MlpTrainer.Tests.Persistence;
using Xunit.Abstractions;

namespace MlpTrainer.Package.Tests.Readme;

/// <summary>
/// Every C# block of the repository's README and of the package's gallery readme compiles against the package, in a
/// fresh console project outside the repository (see <see cref="MarkdownSnippet"/> for how blocks become files, and
/// Readme/Scaffold/Scaffold.cs for the variables fragments may use); the quickstart is that project's program and runs.
/// </summary>
[Collection(nameof(PackageCollection))]
public sealed class ReadmeSnippetTests
{
    private const string ProjectName = "ReadmeSnippets";
    private static readonly object Gate = new();
    private static (ConsumerProject Project, DotnetCli.Result Build)? _built;

    private readonly PackedLibrary _library;
    private readonly ITestOutputHelper _output;

    public ReadmeSnippetTests(PackedLibrary library, ITestOutputHelper output)
    {
        _library = library;
        _output = output;
    }

    private static string Readme => Path.Combine(SourceTree.Root, "README.md");

    private static string GalleryReadme => Path.Combine(SourceTree.Root, "src", "MlpTrainer", "Packaging", "PackageReadme.md");

    [Fact]
    public void Every_csharp_block_of_the_README_compiles_against_the_package()
        => AssertCompiles(Readme);

    [Fact]
    public void Every_csharp_block_of_the_gallery_readme_compiles_against_the_package()
        => AssertCompiles(GalleryReadme);

    [Fact]
    public void Both_readmes_have_one_quickstart_program_and_it_is_the_same()
    {
        MarkdownSnippet[] programs = MarkdownSnippet.Read(Readme).Where(s => s.IsProgram).ToArray();
        MarkdownSnippet[] galleryPrograms = MarkdownSnippet.Read(GalleryReadme).Where(s => s.IsProgram).ToArray();

        Assert.Single(programs);
        Assert.Single(galleryPrograms);
        Assert.Equal(programs[0].Code, galleryPrograms[0].Code);
    }

    [Fact]
    public void The_quickstart_runs_and_classifies_the_test_points()
    {
        (ConsumerProject project, DotnetCli.Result build) = Built();
        Assert.True(build.ExitCode == 0, build.ToString());

        DotnetCli.Result run = project.Run();

        Assert.True(run.ExitCode == 0, run.ToString());
        Match accuracy = Regex.Match(run.Output, @"Test accuracy: ([\d.]+)\s?%");
        Assert.True(accuracy.Success, run.ToString());
        Assert.True(double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture) > 90, run.ToString());
        Assert.Contains("(0.5, 2.2) is in ring 1", run.Output);
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("src/MlpTrainer/Packaging/PackageReadme.md")]
    public void The_first_section_is_Install_with_the_one_command(string file)
    {
        string text = File.ReadAllText(Path.Combine(SourceTree.Root, file));
        Match first = Regex.Match(text, "^## (.*)$", RegexOptions.Multiline);

        Assert.Equal("Install", first.Groups[1].Value.Trim());
        Assert.Contains("dotnet add package MlpTrainer\n", text[first.Index..]);
    }

    private void AssertCompiles(string markdown)
    {
        (_, DotnetCli.Result build) = Built();
        string name = Path.GetFileName(markdown);
        string[] errors = (build.Output + "\n" + build.Error).Split('\n')
            .Where(l => l.Contains(": error ", StringComparison.Ordinal) && l.Contains(markdown, StringComparison.Ordinal))
            .Select(l => l.Trim()).Distinct().ToArray();

        Assert.True(errors.Length == 0, $"C# blocks of {name} do not compile against the package:\n" + string.Join("\n", errors));
        Assert.True(build.ExitCode == 0, $"The snippets project did not build: {build}");
    }

    /// <summary>The snippets project, created and built on first use; the build's result, failed or not.</summary>
    private (ConsumerProject Project, DotnetCli.Result Build) Built()
    {
        lock (Gate)
        {
            if (_built is null)
            {
                ConsumerProject project = ConsumerProject.Create(_library, ProjectName);
                project.AddPackage("Microsoft.ML.OnnxRuntime", TestsPackageVersion("Microsoft.ML.OnnxRuntime"));
                MarkdownSnippet[] snippets = MarkdownSnippet.Read(Readme).Concat(MarkdownSnippet.Read(GalleryReadme)).ToArray();
                project.Write("Program.cs", snippets.First(s => s.IsProgram && s.File == Readme).AsProgram());
                foreach (MarkdownSnippet fragment in snippets.Where(s => !s.IsProgram))
                    project.Write(fragment.Name + ".cs", fragment.AsFragment());
                project.Write("Scaffold.cs", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Readme", "Scaffold", "Scaffold.cs")));
                _built = (project, project.Build());
                foreach ((string step, TimeSpan elapsed) in project.Timings)
                    _output.WriteLine($"{step}: {elapsed.TotalSeconds:F1} s");
            }
            return _built.Value;
        }
    }

    /// <summary>The version of a package the repository's tests reference (tests/MlpTrainer.Tests), so nothing new is downloaded.</summary>
    private static string TestsPackageVersion(string id)
    {
        string project = File.ReadAllText(Path.Combine(SourceTree.Root, "tests", "MlpTrainer.Tests", "MlpTrainer.Tests.csproj"));
        return Regex.Match(project, $"<PackageReference Include=\"{Regex.Escape(id)}\" Version=\"([^\"]+)\"").Groups[1].Value;
    }
}
