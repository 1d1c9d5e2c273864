using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MlpTrainer.Package.Tests.Support;
using Xunit.Abstractions;

namespace MlpTrainer.Package.Tests.Consumer;

/// <summary>
/// A .NET developer's first use of the package: a fresh console app (<c>dotnet new console</c>, <c>dotnet add package
/// MlpTrainer</c>) trains a pipeline, evaluates and saves it, and a second process of the same app loads the model and
/// scores with it. The app's source is Consumer/App/Program.cs; it is built once and trained once for these tests.
/// </summary>
[Collection(nameof(PackageCollection))]
public sealed class ConsumerAppTests
{
    private const string AppName = "MlpConsumer";
    private static readonly object Gate = new();
    private static ConsumerProject? _app;
    private static DotnetCli.Result? _training;

    private readonly PackedLibrary _library;
    private readonly ITestOutputHelper _output;

    public ConsumerAppTests(PackedLibrary library, ITestOutputHelper output)
    {
        _library = library;
        _output = output;
    }

    [Fact]
    public void The_app_is_built_with_the_MlpTrainer_dll_of_this_package_and_MlNet_5_0()
    {
        ConsumerProject app = App();

        Assert.Equal(_library.Read(_library.PackagePath, "lib/net10.0/MlpTrainer.dll"), File.ReadAllBytes(Path.Combine(app.OutputDirectory, "MlpTrainer.dll")));
        Assert.Matches("\"Microsoft\\.ML/5\\.0\\.\\d+\"", File.ReadAllText(Path.Combine(app.OutputDirectory, AppName + ".deps.json")));
    }

    [Fact]
    public void MlpTrainer_is_restored_from_this_package_into_the_apps_own_packages_folder()
    {
        ConsumerProject app = App();
        string restored = Path.Combine(app.PackagesFolder, "mlptrainer", _library.Version.ToLowerInvariant(), $"mlptrainer.{_library.Version.ToLowerInvariant()}.nupkg");
        using JsonDocument assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(app.Directory, "obj", "project.assets.json")));
        string[] folders = assets.RootElement.GetProperty("packageFolders").EnumerateObject().Select(f => Path.TrimEndingDirectorySeparator(f.Name)).ToArray();

        Assert.True(File.Exists(restored), $"{restored} does not exist");
        Assert.Equal(File.ReadAllBytes(_library.PackagePath), File.ReadAllBytes(restored));
        Assert.Equal(new[] { app.PackagesFolder, _library.DependencyPackagesFolder }, folders);
        Assert.False(Directory.Exists(Path.Combine(_library.DependencyPackagesFolder, "mlptrainer")));
    }

    [Fact]
    public void The_app_trains_evaluates_and_saves_a_pipeline()
    {
        DotnetCli.Result train = Training();

        Assert.True(train.ExitCode == 0, $"train: {train}");
        double accuracy = double.Parse(Regex.Match(train.Output, @"accuracy (\S+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(accuracy > 0.9, $"test accuracy {accuracy}:\n{train}");
        Assert.True(File.Exists(Path.Combine(ModelFolder, "model.zip")));
        Assert.Equal(3, Probes(train.Output).Length);
    }

    [Fact]
    public void A_second_process_loads_the_saved_model_and_scores_exactly_as_the_first()
    {
        DotnetCli.Result train = Training();
        Assert.True(train.ExitCode == 0, $"train: {train}");

        DotnetCli.Result score = App().Run("score", ModelFolder);
        Report();

        Assert.True(score.ExitCode == 0, $"score: {score}");
        Assert.Equal(Probes(train.Output), Probes(score.Output));
    }

    private string ModelFolder => Path.Combine(App().Directory, "models");

    /// <summary>The consumer app, created and built on first use.</summary>
    private ConsumerProject App()
    {
        lock (Gate)
        {
            if (_app is null)
            {
                ConsumerProject app = ConsumerProject.Create(_library, AppName);
                app.Write("Program.cs", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Consumer", "App", "Program.cs")));
                DotnetCli.Result build = app.Build();
                if (build.ExitCode != 0)
                    throw new InvalidOperationException($"The consumer app did not build: {build}");
                Directory.CreateDirectory(Path.Combine(app.Directory, "models"));
                _app = app;
            }
            return _app;
        }
    }

    /// <summary>The app's training run, run on first use.</summary>
    private DotnetCli.Result Training()
    {
        ConsumerProject app = App();
        lock (Gate)
            return _training ??= app.Run("train", ModelFolder);
    }

    private static string[] Probes(string output)
        => output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("probe ", StringComparison.Ordinal)).ToArray();

    private void Report()
    {
        _output.WriteLine($"pack: {_library.Pack.Elapsed.TotalSeconds:F1} s (once for all package tests)");
        foreach ((string step, TimeSpan elapsed) in App().Timings)
            _output.WriteLine($"{step}: {elapsed.TotalSeconds:F1} s");
    }
}
