namespace MlpTrainer.Package.Tests.Support;

/// <summary>
/// A fresh console project outside the repository, made the way a developer makes one — <c>dotnet new console</c>,
/// then <c>dotnet add package MlpTrainer</c> — with the packed MlpTrainer served from a local folder feed. Its
/// nuget.config adds that feed to the machine's own package sources (the ones the repository restores from) and gives
/// the project a global packages folder of its own, so MlpTrainer is extracted from this very .nupkg. The rest
/// (Microsoft.ML and the other dependencies) is read from <see cref="PackedLibrary.DependencyPackagesFolder"/>, the
/// machine's global packages folder without any MlpTrainer, as the only fallback folder: a copy of MlpTrainer that this
/// machine restored before, of whatever version, cannot reach the build.
/// </summary>
public sealed class ConsumerProject
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, string> _environment;

    private ConsumerProject(PackedLibrary library, string name)
    {
        Directory = Path.Combine(library.Root, "consumers", name);
        System.IO.Directory.CreateDirectory(Directory);
        PackagesFolder = library.ConsumerPackagesFolder;
        _environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = PackagesFolder };
        // Nothing from the folders above (the temporary directory) may reach the build.
        string consumers = Path.GetDirectoryName(Directory)!;
        File.WriteAllText(Path.Combine(consumers, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(consumers, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(consumers, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{PackagesFolder}" />
              </config>
              <packageSources>
                <add key="mlptrainer-local-feed" value="{library.Feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <clear />
                <add key="machine-packages-without-mlptrainer" value="{library.DependencyPackagesFolder}" />
              </fallbackPackageFolders>
            </configuration>
            """);
    }

    /// <summary>The project's own global packages folder (shared by the consumer projects of one test run).</summary>
    public string PackagesFolder { get; }

    /// <summary>The project's folder; its project file is <c>&lt;name&gt;.csproj</c>.</summary>
    public string Directory { get; }

    /// <summary>How long each step took, for the test's report.</summary>
    public List<(string Step, TimeSpan Elapsed)> Timings { get; } = new();

    /// <summary>Creates the console project and adds the packed MlpTrainer to it with <c>dotnet add package</c>.</summary>
    public static ConsumerProject Create(PackedLibrary library, string name)
    {
        var project = new ConsumerProject(library, name);
        project.Step("new", "new", "console", "--framework", "net10.0", "--name", name, "--output", project.Directory, "--no-update-check");
        project.Step("add package", "add", Path.Combine(project.Directory, name + ".csproj"), "package", "MlpTrainer", "--version", library.Version);
        return project;
    }

    /// <summary>Writes a source file of the project (replacing the template's Program.cs when so named).</summary>
    public void Write(string fileName, string text) => File.WriteAllText(Path.Combine(Directory, fileName), text);

    /// <summary>Adds a package reference of the same version the repository's tests use (e.g. for a README snippet).</summary>
    public void AddPackage(string id, string version)
        => Step($"add package {id}", "add", Directory, "package", id, "--version", version);

    /// <summary>Builds the project (Debug); returns the result, failed or not, with the compiler's messages.</summary>
    public DotnetCli.Result Build()
    {
        DotnetCli.Result result = DotnetCli.Run(Directory, CommandTimeout, _environment, new[] { "build", Directory }.Concat(DotnetCli.BuildSwitches).ToArray());
        Timings.Add(("build", result.Elapsed));
        return result;
    }

    /// <summary>Runs the built program with <paramref name="arguments"/>; returns what it printed.</summary>
    public DotnetCli.Result Run(params string[] arguments)
    {
        string dll = Path.Combine(OutputDirectory, Path.GetFileName(Directory) + ".dll");
        DotnetCli.Result result = DotnetCli.Run(Directory, CommandTimeout, _environment, new[] { dll }.Concat(arguments).ToArray());
        Timings.Add(($"run {string.Join(' ', arguments)}", result.Elapsed));
        return result;
    }

    /// <summary>Where the Debug build of the project lands.</summary>
    public string OutputDirectory => Path.Combine(Directory, "bin", "Debug", "net10.0");

    private void Step(string name, params string[] arguments)
    {
        DotnetCli.Result result = DotnetCli.Run(Directory, CommandTimeout, _environment, arguments);
        Timings.Add((name, result.Elapsed));
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} failed in {Directory}: {result}");
    }
}
