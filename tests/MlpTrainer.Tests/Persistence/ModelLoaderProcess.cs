using MlpTrainer.Tests.Support;

namespace MlpTrainer.Tests.Persistence;

/// <summary>
/// Runs tests/MlpTrainer.ModelLoader (<c>dotnet MlpTrainer.ModelLoader.dll model.zip input.bin output.bin</c>): a
/// separate process with a fresh MLContext that has never seen MlpTrainer's types.
/// Found, or built when missing or stale, as every <see cref="RepositoryProgram"/> is.
/// </summary>
internal static class ModelLoaderProcess
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);
    private static readonly RepositoryProgram Loader = new("MlpTrainer.ModelLoader");

    /// <summary>The loader's main assembly, built if needed.</summary>
    public static string LoaderPath => Loader.Dll;

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

        (int exitCode, string stdout, string stderr) = RepositoryProgram.Execute(Loader.StartInfo(new[] { modelPath, input, output }), RunTimeout);
        if (exitCode != 0 || !File.Exists(output))
            return new Result(exitCode, stdout, stderr, Array.Empty<float[]>(), Array.Empty<float[]>());
        (float[][] batch, float[][] engine) = ReadScores(output);
        return new Result(exitCode, stdout, stderr, batch, engine);
    }

    /// <summary>Scores <paramref name="texts"/> (one row each, a text model's "Text" column) with the model at <paramref name="modelPath"/> in a new process.</summary>
    public static Result RunText(string modelPath, IEnumerable<string> texts, string workDirectory)
    {
        string input = Path.Combine(workDirectory, $"input-{Guid.NewGuid():N}.txt");
        string output = Path.Combine(workDirectory, $"output-{Guid.NewGuid():N}.bin");
        File.WriteAllLines(input, texts.Select(t => t.ReplaceLineEndings(" ")));

        (int exitCode, string stdout, string stderr) = RepositoryProgram.Execute(Loader.StartInfo(new[] { modelPath, input, output }), RunTimeout);
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
}
