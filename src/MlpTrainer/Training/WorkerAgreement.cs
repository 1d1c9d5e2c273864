using System.Text;

namespace MlpTrainer.Training;

/// <summary>
/// The start-up check of a data-parallel run: before the first step, worker 0 broadcasts a description of its run
/// (the task, the network, the rows, the options, the seed, a hash of the data and the starting weights, the checkpoint
/// it resumes from), every worker compares it with its own, and a sum over the workers tells all of them whether any
/// differs. Then every worker throws together, the one that differs naming each item with both values, rather than
/// training different runs or waiting forever in a collective the others never call.
/// </summary>
internal static class WorkerAgreement
{
    /// <summary>Throws <see cref="InvalidOperationException"/> on every worker unless every worker's <paramref name="items"/> equal worker 0's.</summary>
    /// <param name="group">The workers.</param>
    /// <param name="items">What must agree, as (name, value) pairs in a fixed order.</param>
    public static void Check(MlpWorkerGroup group, IReadOnlyList<(string Name, string Value)> items)
    {
        byte[] mine = Encoding.UTF8.GetBytes(Encode(items));
        Span<byte> length = stackalloc byte[4];
        BitConverter.TryWriteBytes(length, mine.Length);
        group.Broadcast(length, root: 0);
        var theirs = new byte[BitConverter.ToInt32(length)];
        if (group.Rank == 0)
            mine.CopyTo(theirs, 0);
        group.Broadcast(theirs, root: 0);

        List<string> differences = Differences(Decode(Encoding.UTF8.GetString(theirs)), items);
        Span<double> differing = stackalloc double[] { differences.Count > 0 ? 1 : 0 };
        group.AllReduceSum(differing);
        if (differing[0] == 0)
            return;
        if (differences.Count > 0)
            throw new InvalidOperationException(
                $"Worker {group.Rank} of {group.Size} differs from worker 0: {string.Join("; ", differences)}. " +
                "Every worker must fit the same pipeline on the same data with the same MlpOptions (and the same Seed).");
        throw new InvalidOperationException(
            $"{differing[0]} of the {group.Size} workers differ from worker 0 in their options, data or checkpoint (each names what differs in its own error). " +
            "Every worker must fit the same pipeline on the same data with the same MlpOptions (and the same Seed).");
    }

    /// <summary>"name is A on worker 0 and B here" for every item that differs, in order.</summary>
    private static List<string> Differences(IReadOnlyList<(string Name, string Value)> root, IReadOnlyList<(string Name, string Value)> mine)
    {
        var differences = new List<string>();
        var rootValues = root.ToDictionary(p => p.Name, p => p.Value);
        foreach ((string name, string value) in mine)
        {
            if (!rootValues.TryGetValue(name, out string? other))
                differences.Add($"{name} is unknown to worker 0 (another MlpTrainer version?)");
            else if (other != value)
                differences.Add($"{name} is {other} on worker 0 and {value} here");
        }
        if (root.Count != mine.Count && differences.Count == 0)
            differences.Add($"worker 0 describes its run in {root.Count} items, this worker in {mine.Count} (another MlpTrainer version?)");
        return differences;
    }

    private static string Encode(IReadOnlyList<(string Name, string Value)> items)
        => string.Join("\n", items.Select(p => p.Name + "\t" + p.Value.Replace('\n', ' ').Replace('\t', ' ')));

    private static List<(string Name, string Value)> Decode(string text)
        => text.Length == 0
            ? new List<(string, string)>()
            : text.Split('\n').Select(line => line.Split('\t', 2)).Select(p => (p[0], p.Length > 1 ? p[1] : "")).ToList();
}
