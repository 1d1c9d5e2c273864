using System.IO.Compression;
using System.Xml.Linq;
using MlpTrainer.Tests.Persistence;

namespace MlpTrainer.Package.Tests.Support;

/// <summary>
/// MlpTrainer packed once for the tests of <see cref="PackageCollection"/>: <c>dotnet pack</c> of src/MlpTrainer in
/// Release, built in a temporary artifacts folder (the repository's bin/ and obj/ are not touched), into a local
/// folder feed. Everything lives under one temporary folder, deleted at the end.
/// </summary>
public sealed class PackedLibrary : IDisposable
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(8);

    public PackedLibrary()
    {
        Root = Path.Combine(Path.GetTempPath(), "mlptrainer-package-tests-" + Guid.NewGuid().ToString("N"));
        Feed = Path.Combine(Root, "feed");
        Directory.CreateDirectory(Feed);
        string project = Path.Combine(SourceTree.Root, "src", "MlpTrainer", "MlpTrainer.csproj");
        Pack = DotnetCli.Run(SourceTree.Root, PackTimeout, null,
            new[] { "pack", project, "-c", "Release", "-o", Feed, "--artifacts-path", Path.Combine(Root, "artifacts") }.Concat(DotnetCli.BuildSwitches).ToArray());
        if (Pack.ExitCode != 0)
            throw new InvalidOperationException($"dotnet pack {project} failed: {Pack}");

        PackagePath = Directory.GetFiles(Feed, "MlpTrainer.*.nupkg").Single();
        SymbolsPath = Directory.GetFiles(Feed, "MlpTrainer.*.snupkg").SingleOrDefault();
        Version = Path.GetFileNameWithoutExtension(PackagePath)["MlpTrainer.".Length..];
        UserPackagesFolder = FindUserPackagesFolder();
        ConsumerPackagesFolder = Path.Combine(Root, "packages");
        DependencyPackagesFolder = LinkPackagesExceptMlpTrainer(UserPackagesFolder, Path.Combine(Root, "machine-packages"));
    }

    /// <summary>The temporary folder holding the feed, the build artifacts and the consumer projects.</summary>
    public string Root { get; }

    /// <summary>The local folder feed with the .nupkg and .snupkg.</summary>
    public string Feed { get; }

    /// <summary>What <c>dotnet pack</c> returned and printed, and how long it took.</summary>
    public DotnetCli.Result Pack { get; }

    public string PackagePath { get; }

    /// <summary>The symbols package, or null when pack wrote none.</summary>
    public string? SymbolsPath { get; }

    /// <summary>The package version, from the file name.</summary>
    public string Version { get; }

    /// <summary>
    /// The NuGet global packages folder of this machine, which the repository's own restore filled (Microsoft.ML and
    /// the rest of the package's dependencies). Consumer projects never read it directly: it may hold an MlpTrainer
    /// restored before (see <see cref="DependencyPackagesFolder"/>).
    /// </summary>
    public string UserPackagesFolder { get; }

    /// <summary>
    /// The consumer projects' own global packages folder, empty at first: <c>dotnet add package</c> extracts MlpTrainer
    /// into it from <see cref="Feed"/>, and anything not found in <see cref="DependencyPackagesFolder"/> is downloaded into it.
    /// </summary>
    public string ConsumerPackagesFolder { get; }

    /// <summary>
    /// The consumer projects' only fallback folder: one symbolic link per package of <see cref="UserPackagesFolder"/>,
    /// except MlpTrainer. So the dependencies the repository's restore already holds are used in place (nothing is
    /// copied or downloaded again), while a copy of MlpTrainer that this machine restored before, whatever its version,
    /// can never be taken for the package under test.
    /// </summary>
    public string DependencyPackagesFolder { get; }

    /// <summary>The names of every file in the package.</summary>
    public IReadOnlyList<string> Entries(string package)
    {
        using ZipArchive zip = ZipFile.OpenRead(package);
        return zip.Entries.Select(e => e.FullName).ToArray();
    }

    /// <summary>The bytes of one file of the package.</summary>
    public byte[] Read(string package, string entry)
    {
        using ZipArchive zip = ZipFile.OpenRead(package);
        using Stream stream = (zip.GetEntry(entry) ?? throw new FileNotFoundException($"{Path.GetFileName(package)} has no {entry}.")).Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The package's manifest (MlpTrainer.nuspec).</summary>
    public XElement Manifest()
    {
        XElement package = XElement.Load(new MemoryStream(Read(PackagePath, "MlpTrainer.nuspec")));
        return package.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary folder does no harm.
        }
    }

    private static string LinkPackagesExceptMlpTrainer(string packages, string folder)
    {
        Directory.CreateDirectory(folder);
        if (Directory.Exists(packages))
        {
            foreach (string package in Directory.GetDirectories(packages))
            {
                string id = Path.GetFileName(package);
                if (!id.Equals("mlptrainer", StringComparison.OrdinalIgnoreCase))
                    Directory.CreateSymbolicLink(Path.Combine(folder, id), package);
            }
        }
        return folder;
    }

    private static string FindUserPackagesFolder()
    {
        string? configured = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (!string.IsNullOrEmpty(configured))
            return configured;
        DotnetCli.Result locals = DotnetCli.Run(Path.GetTempPath(), TimeSpan.FromMinutes(1), null, "nuget", "locals", "global-packages", "--list");
        const string prefix = "global-packages:";
        string? line = locals.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line?[prefix.Length..].Trim()
            ?? throw new InvalidOperationException($"dotnet nuget locals global-packages --list did not name the folder: {locals}");
    }
}
