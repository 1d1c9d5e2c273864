using System.Runtime.CompilerServices;

namespace MlpTrainer.Tests.Persistence;

/// <summary>
/// Finds the repository (the folder holding MlpExtension.sln), so that tests read fixtures from the source tree
/// instead of the build output: no copy step in the test project, and a regenerated fixture lands where git sees it.
/// The build output may be outside the repository (<c>--artifacts-path /tmp/...</c>), so the search also starts
/// from this source file's compile-time path and from the working directory.
/// </summary>
internal static class SourceTree
{
    private const string SolutionFile = "MlpExtension.sln";
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string FixturesDirectory => Path.Combine(Root, "tests", "MlpTrainer.Tests", "Persistence", "Fixtures");

    public static string ModelLoaderProject => Path.Combine(Root, "tests", "MlpTrainer.ModelLoader", "MlpTrainer.ModelLoader.csproj");

    private static string FindRoot()
    {
        string?[] starts = { AppContext.BaseDirectory, Path.GetDirectoryName(ThisSourceFile()), Environment.CurrentDirectory };
        foreach (string? start in starts)
        {
            for (var dir = start is null ? null : new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                    return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException(
            $"Cannot find the repository: no {SolutionFile} above any of {string.Join(", ", starts)}.");
    }

    private static string ThisSourceFile([CallerFilePath] string path = "") => path;
}
