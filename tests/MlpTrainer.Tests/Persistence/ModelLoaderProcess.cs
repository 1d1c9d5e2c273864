using System.Diagnostics;
using System.Reflection;

namespace MlpTrainer.Tests.Persistence;

/// <summary>
/// Runs tests/MlpTrainer.ModelLoader (<c>dotnet MlpTrainer.ModelLoader.dll model.zip input.bin output.bin</c>): a
/// separate process with a fresh MLContext that has never seen MlpTrainer's types.
/// <para>
/// The loader is expected beside this test assembly's output, with "MlpTrainer.Tests" replaced by
/// "MlpTrainer.ModelLoader" in the path: <c>tests/MlpTrainer.ModelLoader/bin/Debug/net10.0/</c> in the default
/// layout, <c>&lt;artifacts&gt;/bin/MlpTrainer.ModelLoader/debug/</c> with <c>--artifacts-path</c>. Building the
/// solution puts it there. When it is missing, older than its sources, or carries another MlpTrainer.dll than the
/// one these tests run against, it is built once (<c>dotnet build</c>, same configuration and layout) before use.
/// </para>
/// </summary>
internal static class ModelLoaderProcess
{
    private const string LoaderName = "MlpTrainer.ModelLoader";
    private const string TestsName = "MlpTrainer.Tests";
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);
    private static readonly Lazy<string> LoaderDll = new(LocateOrBuild, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The loader's main assembly, built if needed.</summary>
    public static string LoaderPath => LoaderDll.Value;

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError, float[][] BatchScores, float[][] EngineScores)
    {
        /// <summary>The value of a "key: value" line of the standard output, or null.</summary>
        public string? Line(string key) => StandardOutput.Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .FirstOrDefault(l => l.StartsWith(key + ": ", StringComparison.Ordinal))?[(key.Length + 2)..];

        public override string ToString() => $"exit code {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";
    }

    /// <summary>Scores <paramref name="rows"/> with the model at <paramref name="modelPath"/> in a new process.</summary>
    public static Result Run(string modelPath, float[][] rows, string workDirectory)
    {
        string input = Path.Combine(workDirectory, $"input-{Guid.NewGuid():N}.bin");
        string output = Path.Combine(workDirectory, $"output-{Guid.NewGuid():N}.bin");
        WriteRows(input, rows);

        (int exitCode, string stdout, string stderr) = Execute(DotnetHost(), new[] { LoaderDll.Value, modelPath, input, output }, RunTimeout);
        if (exitCode != 0 || !File.Exists(output))
            return new Result(exitCode, stdout, stderr, Array.Empty<float[]>(), Array.Empty<float[]>());
        (float[][] batch, float[][] engine) = ReadScores(output);
        return new Result(exitCode, stdout, stderr, batch, engine);
    }

    private static void WriteRows(string path, float[][] rows)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(rows.Length);
        writer.Write(rows.Length == 0 ? 1 : rows[0].Length);
        foreach (float[] row in rows)
        {
            foreach (float v in row)
                writer.Write(v);
        }
    }

    private static (float[][] Batch, float[][] Engine) ReadScores(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        int rows = reader.ReadInt32(), width = reader.ReadInt32();
        float[][] Block() => Enumerable.Range(0, rows)
            .Select(_ => Enumerable.Range(0, width).Select(_ => reader.ReadSingle()).ToArray())
            .ToArray();
        float[][] batch = Block(), engine = Block();
        Assert.Equal(reader.BaseStream.Length, reader.BaseStream.Position);
        return (batch, engine);
    }

    private static string LocateOrBuild()
    {
        string testDir = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
        string[] parts = testDir.Split(Path.DirectorySeparatorChar);
        int at = Array.LastIndexOf(parts, TestsName);
        if (at < 0)
            throw new InvalidOperationException($"The test output folder {testDir} has no '{TestsName}' segment to find the loader beside it.");
        parts[at] = LoaderName;
        string loaderDir = string.Join(Path.DirectorySeparatorChar, parts);
        string loaderDll = Path.Combine(loaderDir, LoaderName + ".dll");

        string? staleness = Staleness(loaderDir, loaderDll);
        if (staleness is null)
            return loaderDll;

        var arguments = new List<string> { "build", SourceTree.ModelLoaderProject, "-c", Configuration(), "-nologo", "-v", "q", "-nodeReuse:false", "-p:UseSharedCompilation=false" };
        if (at >= 2 && parts[at - 1] == "bin")
            arguments.AddRange(new[] { "--artifacts-path", string.Join(Path.DirectorySeparatorChar, parts[..(at - 1)]) });
        (int exitCode, string stdout, string stderr) = Execute(DotnetHost(), arguments, BuildTimeout);
        if (exitCode != 0)
            throw new InvalidOperationException($"Building the loader ({staleness}) failed: dotnet {string.Join(' ', arguments)}\n{stdout}\n{stderr}");

        staleness = Staleness(loaderDir, loaderDll);
        if (staleness is not null)
            throw new InvalidOperationException($"After dotnet {string.Join(' ', arguments)}, the loader is still unusable: {staleness}.");
        return loaderDll;
    }

    /// <summary>Why the loader at <paramref name="loaderDll"/> cannot be used as it is, or null.</summary>
    private static string? Staleness(string loaderDir, string loaderDll)
    {
        if (!File.Exists(loaderDll))
            return $"{loaderDll} does not exist";
        string ours = Path.Combine(AppContext.BaseDirectory, "MlpTrainer.dll"), theirs = Path.Combine(loaderDir, "MlpTrainer.dll");
        if (!File.Exists(theirs) || !File.ReadAllBytes(ours).AsSpan().SequenceEqual(File.ReadAllBytes(theirs)))
            return $"{theirs} is not the MlpTrainer.dll these tests use ({ours})";
        DateTime built = File.GetLastWriteTimeUtc(loaderDll);
        string projectDir = Path.GetDirectoryName(SourceTree.ModelLoaderProject)!;
        string? newer = Directory.EnumerateFiles(projectDir, "*.cs*", SearchOption.TopDirectoryOnly)
            .FirstOrDefault(f => File.GetLastWriteTimeUtc(f) > built);
        return newer is null ? null : $"{newer} is newer than {loaderDll}";
    }

    private static string Configuration()
        => typeof(ModelLoaderProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The dotnet host running these tests, so the loader gets the same runtime.</summary>
    private static string DotnetHost()
    {
        string? fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
            return fromSdk;
        string? current = Environment.ProcessPath;
        return current != null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }

    private static (int ExitCode, string StandardOutput, string StandardError) Execute(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        // Settings the test host inherits from the build that started it; a nested build or app must not see them.
        foreach (string name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
            start.Environment.Remove(name);

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {fileName}.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}.");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
