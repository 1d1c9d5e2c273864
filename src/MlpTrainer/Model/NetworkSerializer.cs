using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace MlpTrainer.Model;

/// <summary>
/// MlpTrainer's own model format, written inside the ML.NET model zip. Everything is little-endian:
/// <code>
/// uint32  magic            "MLPW" (0x57504C4D)
/// int32   format version   2 (1 had no history)
/// int32   payload length   bytes that follow, before the checksum
/// payload:
///   int32    task          1 = multiclass, 2 = binary, 3 = regression
///   int32    level count   n = number of dense layers + 1
///   int32[n] level sizes   input width, each hidden layer, output width
///   int32    hidden activation (MlpActivation), float32 LeakyReLU slope
///   int32    optimizer (MlpOptimizer), float32 learning rate, float32 momentum, byte Nesterov (0/1),
///   float32  beta1, beta2, epsilon, L2 regularization, int32 batch size, int32 epochs trained
///   int32    parameter count
///   float32[parameter count]  for each layer: weights (outputs × inputs, row-major), then biases
///   format 2 on: the training history (see <see cref="TrainingHistoryFormat"/>), then int32 regression loss
///   (MlpRegressionLoss), float32 Huber δ, float32 output scale, float32 output offset (regression: z·scale + offset)
/// uint32  CRC-32 of the payload
/// </code>
/// Reading checks the magic, the version (newer than <see cref="CurrentVersion"/> is refused, every older
/// version stays readable), the length against the stream, the checksum, then every size against the declared
/// shapes, before anything is used; a problem is an <see cref="InvalidDataException"/> that says what it is.
/// </summary>
internal static class NetworkSerializer
{
    public const uint Magic = 0x57504C4D;
    public const int CurrentVersion = 2;
    private const int TaskTailBytes = 16;
    private const int MaxLevels = 1024;
    private const int MaxLevelSize = 1_000_000_000;

    public sealed record Contents(MlpNetwork Network, TrainingSettings Settings, IReadOnlyList<MlpEpochReport> History);

    public static void Write(BinaryWriter writer, MlpNetwork network, TrainingSettings settings, IReadOnlyList<MlpEpochReport> history)
    {
        using var payloadStream = new MemoryStream();
        using (var payload = new BinaryWriter(payloadStream, Encoding.UTF8, leaveOpen: true))
        {
            payload.Write((int)network.Task);
            payload.Write(network.Layout.Sizes.Count);
            foreach (int size in network.Layout.Sizes)
                payload.Write(size);
            payload.Write((int)network.HiddenActivation);
            payload.Write(network.LeakySlope);
            payload.Write((int)settings.Optimizer);
            payload.Write(settings.LearningRate);
            payload.Write(settings.Momentum);
            payload.Write(settings.UseNesterov);
            payload.Write(settings.Beta1);
            payload.Write(settings.Beta2);
            payload.Write(settings.Epsilon);
            payload.Write(settings.L2Regularization);
            payload.Write(settings.BatchSize);
            payload.Write(settings.EpochsTrained);
            payload.Write(network.Parameters.Length);
            WriteFloats(payload, network.Parameters);
            TrainingHistoryFormat.Write(payload, history);
            payload.Write((int)settings.RegressionLoss);
            payload.Write(settings.HuberDelta);
            payload.Write(network.OutputScale);
            payload.Write(network.OutputOffset);
        }

        ReadOnlySpan<byte> bytes = payloadStream.GetBuffer().AsSpan(0, checked((int)payloadStream.Length));
        writer.Write(Magic);
        writer.Write(CurrentVersion);
        writer.Write(bytes.Length);
        writer.Write(bytes);
        writer.Write(Crc32.HashToUInt32(bytes));
    }

    /// <param name="reader">Positioned at the magic number.</param>
    /// <param name="modelName">Names the model in error messages (e.g. its place in the zip).</param>
    /// <param name="blockEnd">
    /// The stream position where the model's block ends, when the block is followed by other data (ML.NET puts
    /// its own trailer after it); null reads to the end of a seekable stream, or as far as a non-seekable one goes.
    /// </param>
    public static Contents Read(BinaryReader reader, string modelName, long? blockEnd = null)
    {
        try
        {
            return ReadCore(reader, modelName, blockEnd);
        }
        catch (EndOfStreamException)
        {
            throw Invalid(modelName, "the data ends early (the file is truncated)");
        }
    }

    private static Contents ReadCore(BinaryReader reader, string modelName, long? blockEnd)
    {
        uint magic = reader.ReadUInt32();
        if (magic != Magic)
            throw Invalid(modelName, $"it does not start with the MlpTrainer marker (found 0x{magic:X8}, expected 0x{Magic:X8})");
        int version = reader.ReadInt32();
        if (version > CurrentVersion)
            throw Invalid(modelName, $"it was written in format version {version}, and this MlpTrainer reads versions 1 to {CurrentVersion}; update MlpTrainer to load it");
        if (version < 1)
            throw Invalid(modelName, $"its format version {version} is not a valid version");

        int length = reader.ReadInt32();
        long? remaining = blockEnd is long end
            ? end - reader.BaseStream.Position
            : reader.BaseStream.CanSeek ? reader.BaseStream.Length - reader.BaseStream.Position : null;
        if (length < 0 || length + 4L > remaining)
            throw Invalid(modelName, $"it declares a payload of {length} bytes but only {Math.Max(0, remaining.GetValueOrDefault() - 4)} follow (the file is truncated or damaged)");
        byte[] payload = ReadUpTo(reader.BaseStream, length);
        if (payload.Length != length)
            throw Invalid(modelName, $"it declares a payload of {length} bytes but only {payload.Length} follow (the file is truncated)");
        uint stored = reader.ReadUInt32();
        uint actual = Crc32.HashToUInt32(payload);
        if (stored != actual)
            throw Invalid(modelName, $"its checksum does not match (stored 0x{stored:X8}, computed 0x{actual:X8}): the weights are damaged");

        using var payloadReader = new BinaryReader(new MemoryStream(payload, writable: false));
        return ReadPayload(payloadReader, modelName, version);
    }

    private static Contents ReadPayload(BinaryReader r, string modelName, int version)
    {
        var task = (MlpTask)r.ReadInt32();
        if (!Enum.IsDefined(task))
            throw Invalid(modelName, $"its task code {(int)task} is unknown (1 = multiclass, 2 = binary, 3 = regression)");
        int levels = r.ReadInt32();
        if (levels < 2 || levels > MaxLevels)
            throw Invalid(modelName, $"it declares {levels} levels; a network has 2 to {MaxLevels}");
        var sizes = new int[levels];
        for (int i = 0; i < levels; i++)
        {
            sizes[i] = r.ReadInt32();
            if (sizes[i] < 1 || sizes[i] > MaxLevelSize)
                throw Invalid(modelName, $"level {i} declares {sizes[i]} units; sizes are 1 to {MaxLevelSize}");
        }
        if (task != MlpTask.Multiclass && sizes[^1] != 1)
            throw Invalid(modelName, $"a {task} network has one output, but it declares {sizes[^1]}");
        var activation = (MlpActivation)r.ReadInt32();
        if (!Enum.IsDefined(activation))
            throw Invalid(modelName, $"its activation code {(int)activation} is unknown");
        float slope = r.ReadSingle();
        if (!(slope >= 0 && slope <= 1))
            throw Invalid(modelName, $"its LeakyReLU slope {slope} is outside 0 to 1");
        var optimizer = (MlpOptimizer)r.ReadInt32();
        if (!Enum.IsDefined(optimizer))
            throw Invalid(modelName, $"its optimizer code {(int)optimizer} is unknown");
        var settings = new TrainingSettings(optimizer, r.ReadSingle(), r.ReadSingle(), r.ReadBoolean(), r.ReadSingle(),
            r.ReadSingle(), r.ReadSingle(), r.ReadSingle(), r.ReadInt32(), r.ReadInt32());

        long expected = 0;
        for (int l = 0; l + 1 < levels; l++)
            expected += (long)sizes[l] * sizes[l + 1] + sizes[l + 1];
        int count = r.ReadInt32();
        long left = r.BaseStream.Length - r.BaseStream.Position;
        if (count != expected)
            throw Invalid(modelName, $"it holds {count} parameters but its shape {string.Join("-", sizes)} needs {expected}");
        bool hasHistory = version >= 2;
        if (hasHistory ? left < 4L * count : left != 4L * count)
            throw Invalid(modelName, $"{left} bytes of parameters follow but {count} parameters need {4L * count}");

        var parameters = new float[count];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(parameters.AsSpan()));
        if (!BitConverter.IsLittleEndian)
        {
            Span<int> bits = MemoryMarshal.Cast<float, int>(parameters.AsSpan());
            BinaryPrimitives.ReverseEndianness(bits, bits);
        }
        int bad = FirstNonFinite(parameters);
        if (bad >= 0)
            throw Invalid(modelName, $"parameter {bad} is {parameters[bad]}; a trained network has only finite parameters");

        IReadOnlyList<MlpEpochReport> history = Array.Empty<MlpEpochReport>();
        if (hasHistory)
        {
            long afterParameters = r.BaseStream.Length - r.BaseStream.Position;
            int epochs = afterParameters >= 4 ? r.ReadInt32() : -1;
            long needed = 4L * count + TrainingHistoryFormat.BlockBytes(Math.Max(0, epochs)) + TaskTailBytes;
            if (epochs < 0 || left != needed)
                throw Invalid(modelName, $"{left} bytes of parameters and history follow but {count} parameters and a history of {epochs} epochs need {needed}");
            r.BaseStream.Position -= 4;
            try
            {
                history = TrainingHistoryFormat.Read(r, $"the model {modelName}");
            }
            catch (InvalidDataException e)
            {
                throw Invalid(modelName, e.Message.TrimEnd('.'));
            }
            var regressionLoss = (MlpRegressionLoss)r.ReadInt32();
            float huberDelta = r.ReadSingle(), outputScale = r.ReadSingle(), outputOffset = r.ReadSingle();
            if (!Enum.IsDefined(regressionLoss) || !(huberDelta > 0 && float.IsFinite(huberDelta)))
                throw Invalid(modelName, $"its regression loss ({(int)regressionLoss}, δ = {huberDelta}) is invalid");
            if (!(float.IsFinite(outputScale) && outputScale != 0 && float.IsFinite(outputOffset)) || (task != MlpTask.Regression && (outputScale != 1 || outputOffset != 0)))
                throw Invalid(modelName, $"its output scale {outputScale} and offset {outputOffset} are impossible for a {task} network");
            settings = settings with { RegressionLoss = regressionLoss, HuberDelta = huberDelta };
            return new Contents(new MlpNetwork(new NetworkLayout(sizes), activation, slope, parameters, task, outputScale, outputOffset), settings, history);
        }
        return new Contents(new MlpNetwork(new NetworkLayout(sizes), activation, slope, parameters, task), settings, history);
    }

    /// <summary>
    /// Reads <paramref name="length"/> bytes, or fewer if the stream ends first, growing the buffer as data
    /// arrives, so that a damaged length on a stream of unknown size cannot make it allocate gigabytes up front.
    /// </summary>
    private static byte[] ReadUpTo(Stream stream, int length)
    {
        const int Block = 1 << 20;
        if (length <= Block)
        {
            var small = new byte[length];
            int read = stream.ReadAtLeast(small, length, throwOnEndOfStream: false);
            return read == length ? small : small[..read];
        }
        using var buffer = new MemoryStream();
        var block = new byte[Block];
        while (buffer.Length < length)
        {
            int read = stream.Read(block, 0, (int)Math.Min(Block, length - buffer.Length));
            if (read == 0)
                break;
            buffer.Write(block, 0, read);
        }
        return buffer.ToArray();
    }

    private static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                return i;
        }
        return -1;
    }

    private static void WriteFloats(BinaryWriter writer, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            writer.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        foreach (float v in values)
            writer.Write(v);
    }

    private static InvalidDataException Invalid(string modelName, string problem)
        => new($"Cannot load the MlpTrainer model {modelName}: {problem}.");
}
