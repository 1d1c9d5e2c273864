using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;

namespace MlpTrainer.Model;

/// <summary>
/// MlpTrainer's own model format, written inside the ML.NET model zip. Everything is little-endian:
/// <code>
/// uint32  magic            "MLPW" (0x57504C4D)
/// int32   format version   3 (2 had no first-layer layout, 1 had no history either)
/// int32   payload length   bytes that follow, before the checksum (so a payload holds at most 2 GiB − 1 bytes)
/// payload:
///   int32    task          1 = multiclass, 2 = binary, 3 = regression
///   int32    level count   n = number of dense layers + 1
///   int32[n] level sizes   input width, each hidden layer, output width
///   format 3 on: int32 first-layer layout: 0 = unit-major, 1 = input-major (a network trained on sparse features)
///   int32    hidden activation (MlpActivation), float32 LeakyReLU slope
///   int32    optimizer (MlpOptimizer), float32 learning rate, float32 momentum, byte Nesterov (0/1),
///   float32  beta1, beta2, epsilon, L2 regularization, int32 batch size, int32 epochs trained
///   int32    parameter count
///   float32[parameter count]  for each layer: weights, then biases. The weights are row-major outputs × inputs (a row
///            per unit), except layer 0 of an input-major network: inputs × outputs (a row per input). Files before
///            format 3 are all unit-major.
///   format 2 on: the training history (see <see cref="TrainingHistoryFormat"/>), then int32 regression loss
///   (MlpRegressionLoss), float32 Huber δ, float32 output scale, float32 output offset (regression: z·scale + offset)
/// uint32  CRC-32 of the payload
/// </code>
/// Writing streams the parameters straight to the writer's stream, checksumming as it goes, so saving needs no copy of
/// them; a model whose payload would not fit the int32 length is refused before anything is written. Reading checks
/// the magic, the version (newer than <see cref="CurrentVersion"/> is refused, every older version stays readable)
/// and the length against the stream, then reads the parameters straight into the network's array (one copy in
/// memory), checks every size against the declared shapes before allocating, and verifies the checksum before the
/// model is returned. A problem is an <see cref="InvalidDataException"/> that says what it is; when the checksum does
/// not match, that is what it says, whatever field looked wrong first.
/// </summary>
internal static class NetworkSerializer
{
    public const uint Magic = 0x57504C4D;
    public const int CurrentVersion = 3;

    /// <summary>The largest payload the int32 length field can declare.</summary>
    public const long MaxPayloadBytes = int.MaxValue;

    private const int TaskTailBytes = 16;
    private const int MaxLevels = 1024;
    private const int MaxLevelSize = 1_000_000_000;

    /// <summary>Activation, slope, optimizer, learning rate, momentum, Nesterov (1 byte), β1, β2, ε, L2, batch size, epochs.</summary>
    private const int SettingsBytes = 4 + 4 + 4 + 4 + 4 + 1 + 4 + 4 + 4 + 4 + 4 + 4;

    /// <summary>Parameters are written, read and checksummed in blocks of this many bytes.</summary>
    private const int BlockBytes = 1 << 20;

    private const int UnitMajorCode = 0, InputMajorCode = 1;

    public sealed record Contents(MlpNetwork Network, TrainingSettings Settings, IReadOnlyList<MlpEpochReport> History);

    /// <summary>The payload length of a network of this layout with a history of <paramref name="historyEpochs"/> epochs, in the current format.</summary>
    public static long PayloadBytes(NetworkLayout layout, int historyEpochs)
        => 4 + 4 + 4L * layout.Sizes.Count + 4 + SettingsBytes + 4 + 4L * layout.ParameterCount
           + TrainingHistoryFormat.BlockBytes(historyEpochs) + TaskTailBytes;

    /// <summary>
    /// Throws unless a network of this layout with a history of <paramref name="historyEpochs"/> epochs can be saved: its
    /// payload must fit the format's int32 length (2 GiB − 1 bytes, about 536 million parameters).
    /// </summary>
    /// <exception cref="InvalidOperationException">The payload is too big; the message gives its size and what to shrink.</exception>
    public static void EnsureWritable(NetworkLayout layout, int historyEpochs)
    {
        long bytes = PayloadBytes(layout, historyEpochs);
        if (bytes <= MaxPayloadBytes)
            return;
        CultureInfo invariant = CultureInfo.InvariantCulture;
        string firstLayer = string.Create(invariant, $"{(long)layout.InputSize * layout.OutputsOf(0):N0} of them in the first layer ({layout.InputSize:N0} features × {layout.OutputsOf(0):N0} units)");
        throw new InvalidOperationException(string.Create(invariant,
            $"Cannot save the {layout} network: its {layout.ParameterCount:N0} parameters ({firstLayer}) make a model of {bytes:N0} bytes " +
            $"({bytes / (double)(1L << 30):F2} GiB), and the MlpTrainer model format holds at most {MaxPayloadBytes:N0} bytes (2 GiB). " +
            $"Train a smaller network: fewer feature slots (for hashed features, fewer hash bits; each bit fewer halves the first layer) " +
            $"or fewer hidden units in the first hidden layer."));
    }

    public static void Write(BinaryWriter writer, MlpNetwork network, TrainingSettings settings, IReadOnlyList<MlpEpochReport> history)
    {
        NetworkLayout layout = network.Layout;
        EnsureWritable(layout, history.Count);
        long length = PayloadBytes(layout, history.Count);
        writer.Write(Magic);
        writer.Write(CurrentVersion);
        writer.Write((int)length);
        writer.Flush();

        using var payloadStream = new ChecksummedStream(writer.BaseStream, length, reading: false);
        using (var payload = new BinaryWriter(payloadStream, Encoding.UTF8, leaveOpen: true))
        {
            payload.Write((int)network.Task);
            payload.Write(layout.Sizes.Count);
            foreach (int size in layout.Sizes)
                payload.Write(size);
            payload.Write(layout.InputMajorFirstLayer ? InputMajorCode : UnitMajorCode);
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
            payload.Flush();
            WriteFloats(payloadStream, network.Parameters);
            TrainingHistoryFormat.Write(payload, history);
            payload.Write((int)settings.RegressionLoss);
            payload.Write(settings.HuberDelta);
            payload.Write(network.OutputScale);
            payload.Write(network.OutputOffset);
        }
        if (payloadStream.Position != length)
            throw new InvalidOperationException($"The model payload came to {payloadStream.Position} bytes, not the {length} its header declares.");
        writer.Write(payloadStream.Crc);
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

        // The payload is parsed as it is read and checksummed on the way; nothing is returned before the checksum
        // matches. On a stream that cannot tell its length, the declared length is only trusted as far as the fields
        // agree with it: the parameter array is allocated once the count matches the shape and fits the length.
        using var payload = new ChecksummedStream(reader.BaseStream, length, reading: true);
        using var payloadReader = new BinaryReader(payload, Encoding.UTF8, leaveOpen: true);
        Contents contents;
        try
        {
            contents = ReadPayload(payloadReader, modelName, version);
            if (payload.Remaining != 0)
                throw Invalid(modelName, $"{payload.Remaining} bytes follow the last field of its payload");
        }
        catch (InvalidDataException)
        {
            // A damaged file says it is damaged, rather than naming whichever field the damage made look wrong first.
            payload.Drain();
            uint storedCrc = reader.ReadUInt32();
            if (storedCrc != payload.Crc)
                throw ChecksumMismatch(modelName, storedCrc, payload.Crc);
            throw;
        }
        uint stored = reader.ReadUInt32();
        if (stored != payload.Crc)
            throw ChecksumMismatch(modelName, stored, payload.Crc);
        return contents;
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
        bool inputMajor = false;
        if (version >= 3)
        {
            int layoutCode = r.ReadInt32();
            if (layoutCode is not (UnitMajorCode or InputMajorCode))
                throw Invalid(modelName, $"its first-layer layout code {layoutCode} is unknown (0 = unit-major, 1 = input-major)");
            inputMajor = layoutCode == InputMajorCode;
        }
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
        if (!TensorPrimitives.IsFiniteAll<float>(parameters))
        {
            int bad = FirstNonFinite(parameters);
            throw Invalid(modelName, $"parameter {bad} is {parameters[bad]}; a trained network has only finite parameters");
        }
        var layout = new NetworkLayout(sizes, inputMajor);

        if (!hasHistory)
            return new Contents(new MlpNetwork(layout, activation, slope, parameters, task), settings, Array.Empty<MlpEpochReport>());

        long afterParameters = r.BaseStream.Length - r.BaseStream.Position;
        int epochs = afterParameters >= 4 ? r.ReadInt32() : -1;
        long needed = 4L * count + TrainingHistoryFormat.BlockBytes(Math.Max(0, epochs)) + TaskTailBytes;
        if (epochs < 0 || left != needed)
            throw Invalid(modelName, $"{left} bytes of parameters and history follow but {count} parameters and a history of {epochs} epochs need {needed}");
        IReadOnlyList<MlpEpochReport> history;
        try
        {
            history = TrainingHistoryFormat.ReadEntries(r, epochs, $"the model {modelName}");
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
        return new Contents(new MlpNetwork(layout, activation, slope, parameters, task, outputScale, outputOffset), settings, history);
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

    /// <summary>Writes the floats little-endian a block at a time, straight from the span on little-endian machines.</summary>
    private static void WriteFloats(Stream stream, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
            for (int start = 0; start < bytes.Length; start += BlockBytes)
                stream.Write(bytes.Slice(start, Math.Min(BlockBytes, bytes.Length - start)));
            return;
        }
        var block = new byte[BlockBytes];
        for (int start = 0; start < values.Length; start += BlockBytes / 4)
        {
            int count = Math.Min(BlockBytes / 4, values.Length - start);
            for (int i = 0; i < count; i++)
                BinaryPrimitives.WriteSingleLittleEndian(block.AsSpan(4 * i), values[start + i]);
            stream.Write(block, 0, 4 * count);
        }
    }

    private static InvalidDataException ChecksumMismatch(string modelName, uint stored, uint actual)
        => Invalid(modelName, $"its checksum does not match (stored 0x{stored:X8}, computed 0x{actual:X8}): the weights are damaged");

    private static InvalidDataException Invalid(string modelName, string problem)
        => ModelFileDamage.Problem(modelName, problem);

    /// <summary>
    /// The payload as a stream over the model's stream: reading stops at the declared length, and every byte read or
    /// written goes into a running CRC-32. Its <see cref="Length"/> is the declared length and its
    /// <see cref="Position"/> the bytes so far, so readers can check what is left. Disposing it leaves the model's stream open.
    /// </summary>
    private sealed class ChecksummedStream : Stream
    {
        private readonly Stream _inner;
        private readonly long _length;
        private readonly bool _reading;
        private readonly Crc32 _crc = new();
        private long _position;

        public ChecksummedStream(Stream inner, long length, bool reading)
        {
            _inner = inner;
            _length = length;
            _reading = reading;
        }

        public uint Crc => _crc.GetCurrentHashAsUInt32();

        public long Remaining => _length - _position;

        public override bool CanRead => _reading;

        public override bool CanWrite => !_reading;

        public override bool CanSeek => false;

        public override long Length => _length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(Span<byte> buffer)
        {
            if (!_reading)
                throw new NotSupportedException();
            int wanted = (int)Math.Min(Math.Min(buffer.Length, Remaining), BlockBytes);
            if (wanted <= 0)
                return 0;
            int read = _inner.Read(buffer[..wanted]);
            _crc.Append(buffer[..read]);
            _position += read;
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        /// <summary>Reads (and checksums) the rest of the declared payload; throws <see cref="EndOfStreamException"/> if the stream ends first.</summary>
        public void Drain()
        {
            var block = new byte[(int)Math.Min(BlockBytes, Math.Max(1, Remaining))];
            while (Remaining > 0)
            {
                if (Read(block) == 0)
                    throw new EndOfStreamException();
            }
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_reading)
                throw new NotSupportedException();
            _inner.Write(buffer);
            _crc.Append(buffer);
            _position += buffer.Length;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush() => _inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
