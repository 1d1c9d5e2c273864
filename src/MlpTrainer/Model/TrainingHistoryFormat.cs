namespace MlpTrainer.Model;

/// <summary>
/// How a training history is stored in model files (format 2 on) and checkpoints: int32 count, then per epoch int32
/// epoch, float64 training loss, float64 validation loss and float64 validation accuracy (NaN when absent), float32
/// learning rate, float64 seconds.
/// </summary>
internal static class TrainingHistoryFormat
{
    private const int EntryBytes = 4 + 8 + 8 + 8 + 4 + 8;

    /// <summary>The bytes a history of <paramref name="epochs"/> entries takes, count included.</summary>
    public static long BlockBytes(int epochs) => 4 + (long)epochs * EntryBytes;

    public static void Write(BinaryWriter writer, IReadOnlyList<MlpEpochReport> history)
    {
        writer.Write(history.Count);
        foreach (MlpEpochReport e in history)
        {
            writer.Write(e.Epoch);
            writer.Write(e.TrainingLoss);
            writer.Write(e.ValidationLoss ?? double.NaN);
            writer.Write(e.ValidationAccuracy ?? double.NaN);
            writer.Write(e.LearningRate);
            writer.Write(e.Seconds);
        }
    }

    /// <exception cref="InvalidDataException">The count does not fit the data, or an entry is impossible.</exception>
    public static IReadOnlyList<MlpEpochReport> Read(BinaryReader reader, string source) => ReadEntries(reader, reader.ReadInt32(), source);

    /// <summary>The entries of a history whose count the caller has already read (the stream is positioned after it).</summary>
    /// <exception cref="InvalidDataException">The count does not fit the data, or an entry is impossible.</exception>
    public static IReadOnlyList<MlpEpochReport> ReadEntries(BinaryReader reader, int count, string source)
    {
        long left = reader.BaseStream.Length - reader.BaseStream.Position;
        if (count < 0 || (long)count * EntryBytes > left)
            throw new InvalidDataException($"The training history in {source} declares {count} epochs but holds at most {left / EntryBytes}.");
        var history = new MlpEpochReport[count];
        for (int i = 0; i < count; i++)
        {
            int epoch = reader.ReadInt32();
            double training = reader.ReadDouble(), validation = reader.ReadDouble(), accuracy = reader.ReadDouble();
            float rate = reader.ReadSingle();
            double seconds = reader.ReadDouble();
            if (epoch < 1)
                throw new InvalidDataException($"The training history in {source} has epoch number {epoch} at entry {i}; epochs count from 1.");
            history[i] = new MlpEpochReport(epoch, training, double.IsNaN(validation) ? null : validation,
                double.IsNaN(accuracy) ? null : accuracy, rate, seconds);
        }
        return history;
    }
}
