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

    [Fact]
    public void Id_and_version_come_from_the_package_settings()
    {
        string settings = File.ReadAllText(Path.Combine(SourceTree.Root, "src", "MlpTrainer", "Packaging", "Package.props"));

        Assert.Equal("MlpTrainer", Metadata("id"));
        Assert.Equal(Regex.Match(settings, "<Version>(.*)</Version>").Groups[1].Value, Metadata("version"));
        Assert.Equal(Metadata("version"), _library.Version);
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
        Assert.StartsWith(Metadata("version") + ":", Metadata("releaseNotes"));
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
