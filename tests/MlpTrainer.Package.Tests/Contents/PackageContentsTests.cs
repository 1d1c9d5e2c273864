using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using MlpTrainer.Package.Tests.Support;
using MlpTrainer.Tests.Persistence;

namespace MlpTrainer.Package.Tests.Contents;

/// <summary>What <c>dotnet pack</c> gives: metadata a gallery shows, a bounded ML.NET dependency, symbols, and nothing build-time-only.</summary>
[Collection(nameof(PackageCollection))]
public sealed class PackageContentsTests
{
    private readonly PackedLibrary _library;

    public PackageContentsTests(PackedLibrary library) => _library = library;

    private string Metadata(string name) => _library.Manifest().Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";

    private XElement? Element(string name) => _library.Manifest().Elements().SingleOrDefault(e => e.Name.LocalName == name);

    private static string DirectoryBuildProperty(string name)
        => Regex.Match(File.ReadAllText(Path.Combine(SourceTree.Root, "Directory.Build.props")), $"<{name}>(.*)</{name}>").Groups[1].Value;

    private static string VersionPrefix
        => Regex.Match(File.ReadAllText(Path.Combine(SourceTree.Root, "src", "MlpTrainer", "Packaging", "Package.props")), "<VersionPrefix>(.*)</VersionPrefix>").Groups[1].Value;

    [Fact]
    public void Id_and_version_come_from_the_package_settings_and_the_commit()
    {
        // Not a release pack: a pre-release of the settings' version, naming the commit it was packed from (and, for a
        // work tree with uncommitted changes, the time), so no two different builds share a version.
        Match version = Regex.Match(Metadata("version"), @"^(.+)-dev\.(\d+)\.g([0-9a-f]{7,40})(\.dirty\.(\d{14}))?$");
        string commit = Element("repository")?.Attribute("commit")?.Value ?? "";

        Assert.Equal("MlpTrainer", Metadata("id"));
        Assert.True(version.Success, $"version {Metadata("version")}");
        Assert.Equal(VersionPrefix, version.Groups[1].Value);
        Assert.StartsWith(version.Groups[3].Value, commit);
        Assert.Equal(Metadata("version"), _library.Version);
    }

    [Fact]
    public void A_release_pack_has_the_settings_version_and_other_packs_a_pre_release_of_it()
    {
        // The version MSBuild computes for a pack, without building: -getProperty after running the version target.
        string Version(params string[] properties)
        {
            string project = Path.Combine(SourceTree.Root, "src", "MlpTrainer", "MlpTrainer.csproj");
            DotnetCli.Result result = DotnetCli.Run(SourceTree.Root, TimeSpan.FromMinutes(2), null,
                new[] { "msbuild", project, "-nologo", "-t:MlpTrainerPackageVersion", "-getProperty:PackageVersion" }.Concat(properties).ToArray());
            Assert.True(result.ExitCode == 0, result.ToString());
            return result.Output.Trim();
        }

        Assert.Equal(VersionPrefix, Version("-p:PublicRelease=true"));
        Assert.Matches($"^{Regex.Escape(VersionPrefix)}-dev\\.\\d+\\.g[0-9a-f]{{7}}", Version());
        Assert.Equal("2.0.0-rc.1", Version("-p:PackageVersion=2.0.0-rc.1"));
        Assert.Equal(VersionPrefix + "-beta1", Version("-p:VersionSuffix=beta1"));
    }

    [Fact]
    public void License_is_the_MIT_expression()
    {
        XElement license = Element("license") ?? throw new Xunit.Sdk.XunitException("The nuspec has no <license>.");

        Assert.Equal(("expression", "MIT"), (license.Attribute("type")?.Value, license.Value));
    }

    [Fact]
    public void Readme_is_packed_and_is_the_gallery_readme()
    {
        Assert.Equal("README.md", Metadata("readme"));
        string readme = Encoding.UTF8.GetString(_library.Read(_library.PackagePath, "README.md"));

        Assert.Equal(File.ReadAllText(Path.Combine(SourceTree.Root, "src", "MlpTrainer", "Packaging", "PackageReadme.md")), readme);
        Assert.Contains("dotnet add package MlpTrainer", readme);
    }

    [Fact]
    public void Description_tags_and_release_notes_are_filled_in()
    {
        Assert.Contains("ML.NET", Metadata("description"));
        Assert.Contains("ML.NET", Metadata("tags").Split(' '));
        Assert.StartsWith(VersionPrefix + ":", Metadata("releaseNotes"));
    }

    [Fact]
    public void Repository_commit_is_recorded()
    {
        XElement repository = Element("repository") ?? throw new Xunit.Sdk.XunitException("The nuspec has no <repository>.");

        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? "");
    }

    [Fact]
    public void MlNet_dependency_is_bounded_to_the_supported_range()
    {
        XElement dependency = _library.Manifest().Descendants().Single(e => e.Name.LocalName == "dependency" && e.Attribute("id")?.Value == "Microsoft.ML");

        Assert.Equal($"[{DirectoryBuildProperty("MlNetVersion")}, {DirectoryBuildProperty("MlNetVersionLimit")})", dependency.Attribute("version")?.Value);
    }

    [Fact]
    public void Build_time_tools_are_not_dependencies()
    {
        string[] ids = _library.Manifest().Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).ToArray();

        Assert.Equal(new[] { "Google.Protobuf", "Microsoft.ML", "System.IO.Hashing", "System.Numerics.Tensors" }, ids.Order());
    }

    [Fact]
    public void Package_holds_only_the_library_its_docs_and_the_readme()
    {
        string[] content = _library.Entries(_library.PackagePath)
            .Where(e => !e.StartsWith("_rels/") && !e.StartsWith("package/services/") && e != "[Content_Types].xml" && e != "MlpTrainer.nuspec")
            .Order().ToArray();

        Assert.Equal(new[] { "lib/net10.0/MlpTrainer.dll", "lib/net10.0/MlpTrainer.xml", "README.md" }, content);
    }

    [Fact]
    public void The_library_references_ML_NET_by_its_real_strong_name()
    {
        using var pe = new PEReader(new MemoryStream(_library.Read(_library.PackagePath, "lib/net10.0/MlpTrainer.dll")));
        MetadataReader metadata = pe.GetMetadataReader();
        var mlNet = metadata.AssemblyReferences.Select(metadata.GetAssemblyReference)
            .Where(r => metadata.GetString(r.Name).StartsWith("Microsoft.ML", StringComparison.Ordinal))
            .Select(r => (Name: metadata.GetString(r.Name), Token: Convert.ToHexString(metadata.GetBlobBytes(r.PublicKeyOrToken)).ToLowerInvariant()))
            .ToArray();

        Assert.Contains(mlNet, r => r.Name == "Microsoft.ML.Core");
        Assert.All(mlNet, r => Assert.Equal("cc7b13ffcd2ddd51", r.Token));
    }

    [Fact]
    public void Symbols_package_holds_the_portable_pdb()
    {
        Assert.True(_library.SymbolsPath is not null, $"dotnet pack wrote no .snupkg into {_library.Feed}.");
        byte[] pdb = _library.Read(_library.SymbolsPath!, "lib/net10.0/MlpTrainer.pdb");

        Assert.Equal("BSJB", Encoding.ASCII.GetString(pdb, 0, 4));   // the portable PDB's metadata signature
    }

    [Fact]
    public void Pack_gives_no_warning()
        => Assert.DoesNotMatch(@"warning [A-Z]+\d+", _library.Pack.Output + _library.Pack.Error);
}
