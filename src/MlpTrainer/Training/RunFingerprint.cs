using System.Globalization;
using System.IO.Hashing;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using MlpTrainer.Data;

namespace MlpTrainer.Training;

/// <summary>
/// A 64-bit hash of everything that determines a training run's weights: the data rows, the options that affect
/// training, the seed and the starting weights. A checkpoint stores it, and resuming checks it, so a checkpoint
/// never continues a different run.
/// </summary>
internal static class RunFingerprint
{
    // Options that do not change the weights: where progress goes, how training is stopped or checkpointed, threads.
    private static readonly HashSet<string> Ignored = new()
    {
        nameof(MlpOptions.Progress), nameof(MlpOptions.CancellationToken), nameof(MlpOptions.CheckpointDirectory),
        nameof(MlpOptions.CheckpointEveryEpochs), nameof(MlpOptions.ResumeFromCheckpoint), nameof(MlpOptions.NumberOfThreads),
        // How the data is held: the in-memory path's weights do not depend on them; a streamed run hashes its buffer instead.
        nameof(MlpOptions.StreamingShuffleBufferRows), nameof(MlpOptions.InMemoryLimitBytes),
        // The group object itself; its size, which changes the weights, is hashed on its own.
        nameof(MlpOptions.Workers),
    };

    public static ulong Compute(TrainingData data, MlpOptions options, int seed, ReadOnlySpan<float> startingParameters)
    {
        var hash = new XxHash64();
        AppendRows(hash, data.Train, data.TrainRows);
        if (data.HasValidation)
            AppendRows(hash, data.Validation!, data.ValidationRows!);
        return Finish(hash, options, seed, startingParameters);
    }

    /// <summary>
    /// The fingerprint of a streamed run: the hash of its training rows from the first pass, its in-memory validation
    /// rows, the shuffle buffer's size (which shapes every epoch's order), the options, the seed and the starting weights.
    /// </summary>
    public static ulong ComputeStreaming(ulong trainRowsHash, RowDataset? validation, int bufferRows, MlpOptions options, int seed,
        ReadOnlySpan<float> startingParameters)
    {
        var hash = new XxHash64();
        Span<byte> bytes = stackalloc byte[8];
        BitConverter.TryWriteBytes(bytes, trainRowsHash);
        hash.Append(bytes);
        if (validation is { RowCount: > 0 })
            AppendRows(hash, validation, TrainingData.AllRows(validation));
        hash.Append(Encoding.UTF8.GetBytes($"streaming buffer={bufferRows};"));
        return Finish(hash, options, seed, startingParameters);
    }

    private static ulong Finish(XxHash64 hash, MlpOptions options, int seed, ReadOnlySpan<float> startingParameters)
    {
        var text = new StringBuilder();
        text.Append("seed=").Append(seed).Append(';');
        foreach ((string name, string value) in OptionValues(options))
            text.Append(name).Append('=').Append(value).Append(';');
        // A run of N workers sums in another order than one process: its checkpoints are its own.
        if (options.Workers is { } workers)
            text.Append("workers=").Append(workers.Size).Append(';');
        hash.Append(Encoding.UTF8.GetBytes(text.ToString()));
        hash.Append(MemoryMarshal.AsBytes(startingParameters));
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>Every option that affects the weights, by name in ordinal order, with its value as invariant text.</summary>
    public static IEnumerable<(string Name, string Value)> OptionValues(MlpOptions options)
    {
        foreach (FieldInfo field in typeof(MlpOptions).GetFields(BindingFlags.Public | BindingFlags.Instance).OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (Ignored.Contains(field.Name))
                continue;
            object? value = field.GetValue(options);
            string shown = value switch
            {
                int[] array => string.Join(",", array),
                IReadOnlyDictionary<string, float> map => string.Join(",", map.OrderBy(p => p.Key, StringComparer.Ordinal)
                    .Select(p => p.Key + ":" + p.Value.ToString("R", CultureInfo.InvariantCulture))),
                _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null",
            };
            yield return (field.Name, shown);
        }
    }

    private static void AppendRows(XxHash64 hash, RowDataset data, int[] rows)
    {
        Span<byte> label = stackalloc byte[4];
        foreach (int row in rows)
        {
            data.AppendFeatures(hash, row);
            BitConverter.TryWriteBytes(label, data.Label(row));
            hash.Append(label);
        }
    }
}
