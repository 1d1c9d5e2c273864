using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using MlpTrainer.Model;

namespace MlpTrainer.Tests.Persistence;

/// <summary>
/// MlpTrainer's own block format, read and written directly: what it stores, and that every kind of damage is an
/// <see cref="InvalidDataException"/> naming the model and the problem.
/// </summary>
public sealed class NetworkSerializerTests
{
    private const string ModelName = "'unit-test'";

    private static readonly TrainingSettings Settings =
        new(MlpOptimizer.Sgd, 0.05f, 0.8f, false, 0.85f, 0.995f, 1e-7f, 3e-4f, 17, 23);

    private static readonly MlpNetwork Network = MakeNetwork(new[] { 4, 5, 3 }, MlpActivation.LeakyReLU, 0.2f);

    [Fact]
    public void ReadRestoresEveryParameterBitForBit()
    {
        NetworkSerializer.Contents read = ReadBack(Written());

        Assert.Equal(Bits(Network.Parameters), Bits(read.Network.Parameters));
    }

    [Fact]
    public void ReadRestoresTheLayoutActivationAndSlope()
    {
        MlpNetwork read = ReadBack(Written()).Network;

        Assert.Equal(new[] { 4, 5, 3 }, read.Layout.Sizes);
        Assert.Equal(MlpActivation.LeakyReLU, read.HiddenActivation);
        Assert.Equal(BitConverter.SingleToInt32Bits(0.2f), BitConverter.SingleToInt32Bits(read.LeakySlope));
    }

    [Fact]
    public void ReadRestoresTheTrainingSettings()
    {
        Assert.Equal(Settings, ReadBack(Written()).Settings);
    }

    [Fact]
    public void NetworkWithoutAHiddenLayerRoundTrips()
    {
        MlpNetwork linear = MakeNetwork(new[] { 4, 3 }, MlpActivation.Identity, 0f);

        MlpNetwork read = ReadBack(Written(linear)).Network;

        Assert.Equal(new[] { 4, 3 }, read.Layout.Sizes);
        Assert.Equal(Bits(linear.Parameters), Bits(read.Parameters));
    }

    [Fact]
    public void ReadNetworkPredictsBitIdentically()
    {
        MlpNetwork read = ReadBack(Written()).Network;
        float[] features = { 0.25f, -1.5f, 3f, 0.125f };
        float[] before = new float[3], after = new float[3];

        Network.Predict(features, before, Network.CreateScratch());
        read.Predict(features, after, read.CreateScratch());

        Assert.Equal(Bits(before), Bits(after));
    }

    [Fact]
    public void BlockIsMagicVersionLengthPayloadAndCrc32OfThePayload()
    {
        byte[] bytes = Written();
        var block = new MlpBlock(bytes, 0);

        Assert.Equal(0x57504C4Du, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal("MLPW", Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal(3, block.ReadInt32(block.VersionOffset));
        Assert.Equal(bytes.Length, block.End);
        Assert.Equal(Crc32.HashToUInt32(bytes.AsSpan(block.PayloadOffset, block.PayloadLength)), block.StoredCrc);
        Assert.Equal(1, block.ReadInt32(block.TaskOffset));
        Assert.Equal(3, block.LevelCount);
        Assert.Equal(5, block.ReadInt32(block.LevelSizeOffset(1)));
        Assert.Equal(0, block.ReadInt32(block.FirstLayerLayoutOffset)); // unit-major
        Assert.Equal((int)MlpActivation.LeakyReLU, block.ReadInt32(block.ActivationOffset));
        Assert.Equal(43, block.ParameterCount);
        // then an empty history (its count, 0) and the task's tail: regression loss, Huber δ, output scale and offset
        Assert.Equal(block.ParametersOffset + 4 * 43 + 4 + 16, block.CrcOffset);
    }

    [Fact]
    public void ReadStopsAtTheEndOfTheBlock()
    {
        byte[] bytes = Written().Concat(new byte[] { 1, 2, 3, 4, 5 }).ToArray();
        using var reader = new BinaryReader(new MemoryStream(bytes));

        NetworkSerializer.Read(reader, ModelName);

        Assert.Equal(bytes.Length - 5, reader.BaseStream.Position);
    }

    [Fact]
    public void ReadWorksOnANonSeekableStream()
    {
        using var reader = new BinaryReader(new NonSeekableStream(Written()));

        NetworkSerializer.Contents read = NetworkSerializer.Read(reader, ModelName);

        Assert.Equal(Bits(Network.Parameters), Bits(read.Network.Parameters));
    }

    [Fact]
    public void FlippedWeightByteIsRejectedByTheChecksum()
    {
        var block = new MlpBlock(Written(), 0);

        InvalidDataException error = AssertRejected(block.WithByteFlipped(block.ParameterOffset(7)).Bytes);

        Assert.Contains("its checksum does not match", error.Message);
        Assert.Contains("the weights are damaged", error.Message);
    }

    [Fact]
    public void EverySingleByteFlipAnywhereInTheBlockIsRejected()
    {
        var block = new MlpBlock(Written(), 0);

        for (int offset = 0; offset < block.End; offset++)
        {
            foreach (byte mask in new byte[] { 0x01, 0x80 })
            {
                byte[] damaged = block.WithByteFlipped(offset, mask).Bytes;
                Exception? thrown = Record.Exception(() => ReadBack(damaged));
                Assert.True(thrown is InvalidDataException,
                    $"Flipping bit mask 0x{mask:X2} of byte {offset}: expected InvalidDataException, got {thrown?.ToString() ?? "no exception"}.");
            }
        }
    }

    [Fact]
    public void EveryTruncationIsRejectedAsATruncatedFile()
    {
        byte[] bytes = Written();

        for (int length = 0; length < bytes.Length; length++)
        {
            byte[] truncated = bytes.AsSpan(0, length).ToArray();
            Exception? thrown = Record.Exception(() => ReadBack(truncated));
            Assert.True(thrown is InvalidDataException && thrown.Message.Contains("truncated"),
                $"Truncated to {length} of {bytes.Length} bytes: expected an InvalidDataException saying so, got {thrown?.ToString() ?? "no exception"}.");
        }
    }

    [Fact]
    public void TruncatedNonSeekableStreamIsRejectedAsTruncated()
    {
        byte[] truncated = Written().AsSpan(0, 100).ToArray();

        var error = Assert.Throws<InvalidDataException>(() => NetworkSerializer.Read(new BinaryReader(new NonSeekableStream(truncated)), ModelName));

        Assert.Contains("truncated", error.Message);
    }

    /// <summary>
    /// Fails at the time of writing: on a stream that cannot report its length, the declared payload length is
    /// trusted and <c>BinaryReader.ReadBytes</c> allocates it before reading, so a damaged length field throws
    /// OutOfMemoryException (or allocates up to 2 GB) instead of reporting a truncated file.
    /// </summary>
    [Fact]
    public void HugeDeclaredLengthOnANonSeekableStreamIsRejectedAsTruncated()
    {
        var block = new MlpBlock(Written(), 0);
        byte[] damaged = block.WithInt32(block.LengthOffset, int.MaxValue).Bytes;

        var error = Assert.Throws<InvalidDataException>(() => NetworkSerializer.Read(new BinaryReader(new NonSeekableStream(damaged)), ModelName));

        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void NegativeDeclaredLengthIsRejected()
    {
        var block = new MlpBlock(Written(), 0);

        InvalidDataException error = AssertRejected(block.WithInt32(block.LengthOffset, -5).Bytes);

        Assert.Contains("declares a payload of -5 bytes", error.Message);
    }

    [Fact]
    public void NewerFormatVersionIsRejectedNamingBothVersions()
    {
        var block = new MlpBlock(Written(), 0);

        InvalidDataException error = AssertRejected(block.WithInt32(block.VersionOffset, 99).Bytes);

        Assert.Equal($"Cannot load the MlpTrainer model {ModelName}: it was written in format version 99, and this MlpTrainer " +
                     "reads versions 1 to 3; update MlpTrainer to load it.", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void FormatVersionBelowOneIsRejectedAsInvalid(int version)
    {
        var block = new MlpBlock(Written(), 0);

        InvalidDataException error = AssertRejected(block.WithInt32(block.VersionOffset, version).Bytes);

        Assert.Contains($"its format version {version} is not a valid version", error.Message);
    }

    [Fact]
    public void WrongMarkerIsRejected()
    {
        var block = new MlpBlock(Written(), 0);

        InvalidDataException error = AssertRejected(block.WithInt32(block.MagicOffset, 0x4D4C5057).Bytes);

        Assert.Contains("does not start with the MlpTrainer marker (found 0x4D4C5057, expected 0x57504C4D)", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-7)]
    [InlineData(1_000_000_001)]
    public void ImpossibleLevelSizeIsRejected(int size)
    {
        var block = new MlpBlock(Written(), 0);

        InvalidDataException error = AssertRejected(block.WithInt32(block.LevelSizeOffset(1), size).WithCrcRecomputed().Bytes);

        Assert.Contains($"level 1 declares {size} units", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-3)]
    [InlineData(5000)]
    public void ImpossibleLevelCountIsRejected(int levels)
    {
        var block = new MlpBlock(Written(), 0);

        InvalidDataException error = AssertRejected(block.WithInt32(block.LevelCountOffset, levels).WithCrcRecomputed().Bytes);

        Assert.Contains($"it declares {levels} levels; a network has 2 to 1024", error.Message);
    }

    [Fact]
    public void ParameterCountThatDoesNotMatchTheShapeIsRejected()
    {
        var block = new MlpBlock(Written(), 0);

        InvalidDataException error = AssertRejected(block.WithInt32(block.ParameterCountOffset, 44).WithCrcRecomputed().Bytes);

        Assert.Contains("it holds 44 parameters but its shape 4-5-3 needs 43", error.Message);
    }

    [Fact]
    public void ShapeThatDoesNotMatchTheStoredParametersIsRejected()
    {
        var block = new MlpBlock(Written(), 0);

        InvalidDataException error = AssertRejected(block.WithInt32(block.LevelSizeOffset(0), 3).WithCrcRecomputed().Bytes);

        Assert.Contains("it holds 43 parameters but its shape 3-5-3 needs 38", error.Message);
    }

    [Fact]
    public void ParameterBytesThatDoNotMatchTheParameterCountAreRejected()
    {
        // Shape 4-4-3 with its matching count (35), but the 43 parameters of 4-5-3 still follow.
        var block = new MlpBlock(Written(), 0);
        MlpBlock damaged = block.WithInt32(block.LevelSizeOffset(1), 4).WithInt32(block.ParameterCountOffset, 35).WithCrcRecomputed();

        InvalidDataException error = AssertRejected(damaged.Bytes);

        Assert.Contains("192 bytes of parameters and history follow but 35 parameters and a history of", error.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteParameterIsRejected(float value)
    {
        var block = new MlpBlock(Written(), 0);

        InvalidDataException error = AssertRejected(block.WithSingle(block.ParameterOffset(40), value).WithCrcRecomputed().Bytes);

        Assert.Contains($"parameter 40 is {value}; a trained network has only finite parameters", error.Message);
    }

    [Fact]
    public void UnknownTaskIsRejected()
    {
        var block = new MlpBlock(Written(), 0);

        InvalidDataException error = AssertRejected(block.WithInt32(block.TaskOffset, 7).WithCrcRecomputed().Bytes);

        Assert.Contains("its task code 7 is unknown", error.Message);
    }

    [Fact]
    public void UnknownActivationIsRejected()
    {
        var block = new MlpBlock(Written(), 0);

        InvalidDataException error = AssertRejected(block.WithInt32(block.ActivationOffset, 17).WithCrcRecomputed().Bytes);

        Assert.Contains("its activation code 17 is unknown", error.Message);
    }

    [Theory]
    [InlineData(-0.5f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void LeakySlopeOutsideZeroToOneIsRejected(float slope)
    {
        var block = new MlpBlock(Written(), 0);

        InvalidDataException error = AssertRejected(block.WithSingle(block.SlopeOffset, slope).WithCrcRecomputed().Bytes);

        Assert.Contains("LeakyReLU slope", error.Message);
        Assert.Contains("is outside 0 to 1", error.Message);
    }

    [Fact]
    public void UnknownOptimizerIsRejected()
    {
        var block = new MlpBlock(Written(), 0);

        InvalidDataException error = AssertRejected(block.WithInt32(block.SlopeOffset + 4, 9).WithCrcRecomputed().Bytes);

        Assert.Contains("its optimizer code 9 is unknown", error.Message);
    }

    private static byte[] Written(MlpNetwork? network = null)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            NetworkSerializer.Write(writer, network ?? Network, Settings, Array.Empty<MlpEpochReport>());
        return stream.ToArray();
    }

    private static NetworkSerializer.Contents ReadBack(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false));
        return NetworkSerializer.Read(reader, ModelName);
    }

    /// <summary>Reading must fail with exactly InvalidDataException, whose message names the model.</summary>
    private static InvalidDataException AssertRejected(byte[] bytes)
    {
        var error = Assert.Throws<InvalidDataException>(() => ReadBack(bytes));
        Assert.StartsWith($"Cannot load the MlpTrainer model {ModelName}: ", error.Message);
        return error;
    }

    private static MlpNetwork MakeNetwork(int[] sizes, MlpActivation activation, float slope)
    {
        var layout = new NetworkLayout(sizes);
        var random = new Random(5);
        float[] parameters = Enumerable.Range(0, layout.ParameterCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        return new MlpNetwork(layout, activation, slope, parameters);
    }

    private static int[] Bits(ReadOnlySpan<float> values)
    {
        var bits = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
            bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        return bits;
    }

    /// <summary>A read-only stream that cannot seek or report its length, like a network or decompression stream.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes, writable: false);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
