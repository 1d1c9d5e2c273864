using System.IO.Hashing;
using System.Text;

namespace MlpTrainer.Training;

/// <summary>
/// Everything a training run needs to continue exactly where it stopped: the parameters, the optimizer's state, the
/// schedule's and early stopping's state, the best weights so far and the history. Written atomically (a temporary
/// file renamed over the old one) so a run killed while writing leaves the previous checkpoint intact. Little-endian:
/// magic "MLPC", version, payload length, payload, CRC-32 of the payload.
/// </summary>
internal sealed class TrainingCheckpoint
{
    public const string FileName = "mlp-checkpoint.bin";
    private const uint Magic = 0x43504C4D; // "MLPC"
    private const int Version = 1;

    /// <summary>A hash of the data, the options and the starting weights: a checkpoint resumes only the run it came from.</summary>
    public required ulong Fingerprint { get; init; }
    public required int EpochsCompleted { get; init; }
    public required bool Finished { get; init; }
    public required float[] Parameters { get; init; }
    public required long OptimizerSteps { get; init; }
    public required IReadOnlyList<float[]> OptimizerState { get; init; }
    public required double[] ScheduleState { get; init; }
    public required double BestValue { get; init; }
    public required int BestEpoch { get; init; }
    public required int EpochsWithoutImprovement { get; init; }
    public required float[]? BestParameters { get; init; }
    public required IReadOnlyList<MlpEpochReport> History { get; init; }

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        using var payloadStream = new MemoryStream();
        using (var w = new BinaryWriter(payloadStream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Fingerprint);
            w.Write(EpochsCompleted);
            w.Write(Finished);
            WriteFloats(w, Parameters);
            w.Write(OptimizerSteps);
            w.Write(OptimizerState.Count);
            foreach (float[] array in OptimizerState)
                WriteFloats(w, array);
            w.Write(ScheduleState.Length);
            foreach (double value in ScheduleState)
                w.Write(value);
            w.Write(BestValue);
            w.Write(BestEpoch);
            w.Write(EpochsWithoutImprovement);
            w.Write(BestParameters is not null);
            if (BestParameters is not null)
                WriteFloats(w, BestParameters);
            Model.TrainingHistoryFormat.Write(w, History);
        }

        ReadOnlySpan<byte> payload = payloadStream.GetBuffer().AsSpan(0, (int)payloadStream.Length);
        string final = PathIn(directory);
        string temporary = final + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var w = new BinaryWriter(file))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write(payload.Length);
            w.Write(payload);
            w.Write(Crc32.HashToUInt32(payload));
            w.Flush();
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, final, overwrite: true);
    }

    /// <summary>The checkpoint in <paramref name="directory"/>, or null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is damaged or not a checkpoint; the message names it.</exception>
    public static TrainingCheckpoint? TryRead(string directory)
    {
        string path = PathIn(directory);
        if (!File.Exists(path))
            return null;
        try
        {
            using var r = new BinaryReader(File.OpenRead(path));
            if (r.ReadUInt32() != Magic)
                throw Invalid(path, "it is not an MlpTrainer checkpoint");
            int version = r.ReadInt32();
            if (version != Version)
                throw Invalid(path, $"it was written in checkpoint format {version}; this MlpTrainer reads format {Version}");
            int length = r.ReadInt32();
            if (length < 0 || length + 4L != r.BaseStream.Length - r.BaseStream.Position)
                throw Invalid(path, "its length does not match the file (it is truncated or damaged)");
            byte[] payload = r.ReadBytes(length);
            if (r.ReadUInt32() != Crc32.HashToUInt32(payload))
                throw Invalid(path, "its checksum does not match (the file is damaged)");

            using var p = new BinaryReader(new MemoryStream(payload));
            ulong fingerprint = p.ReadUInt64();
            int epochs = p.ReadInt32();
            bool finished = p.ReadBoolean();
            float[] parameters = ReadFloats(p);
            long steps = p.ReadInt64();
            var state = new float[p.ReadInt32()][];
            for (int i = 0; i < state.Length; i++)
                state[i] = ReadFloats(p);
            var schedule = new double[p.ReadInt32()];
            for (int i = 0; i < schedule.Length; i++)
                schedule[i] = p.ReadDouble();
            double best = p.ReadDouble();
            int bestEpoch = p.ReadInt32();
            int wait = p.ReadInt32();
            float[]? bestParameters = p.ReadBoolean() ? ReadFloats(p) : null;
            IReadOnlyList<MlpEpochReport> history = Model.TrainingHistoryFormat.Read(p, path);
            return new TrainingCheckpoint
            {
                Fingerprint = fingerprint, EpochsCompleted = epochs, Finished = finished, Parameters = parameters,
                OptimizerSteps = steps, OptimizerState = state, ScheduleState = schedule, BestValue = best,
                BestEpoch = bestEpoch, EpochsWithoutImprovement = wait, BestParameters = bestParameters, History = history,
            };
        }
        catch (EndOfStreamException)
        {
            throw Invalid(path, "it ends early (it is truncated)");
        }
    }

    private static void WriteFloats(BinaryWriter w, float[] values)
    {
        w.Write(values.Length);
        foreach (float v in values)
            w.Write(v);
    }

    private static float[] ReadFloats(BinaryReader r)
    {
        int count = r.ReadInt32();
        if (count < 0 || 4L * count > r.BaseStream.Length - r.BaseStream.Position)
            throw new EndOfStreamException();
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = r.ReadSingle();
        return values;
    }

    private static InvalidDataException Invalid(string path, string problem) => new($"Cannot resume from the checkpoint '{path}': {problem}.");
}
