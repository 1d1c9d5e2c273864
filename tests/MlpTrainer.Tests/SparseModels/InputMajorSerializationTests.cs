using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using MlpTrainer.Model;
using MlpTrainer.Tests.Persistence;
using static MlpTrainer.Tests.SparseModels.InputMajorNetworks;

namespace MlpTrainer.Tests.SparseModels;

/// <summary>
/// Format 3 of MlpTrainer's block: it records the first layer's layout, so an input-major network reads back
/// input-major with every parameter bit for bit; blocks of formats 1 and 2 still read (as unit-major networks); a
/// network too big for the format is refused before anything is written, naming its size and the way out; and the
/// parameters are streamed, not copied, on the way out and on the way in.
/// </summary>
public sealed class InputMajorSerializationTests
{
    private const string ModelName = "'sparse-test'";

    private static readonly MlpNetwork InputMajor = Create(new[] { 40, 6, 3 }, seed: 31);

    [Fact]
    public void InputMajorNetworkReadsBackInputMajor()
    {
        MlpNetwork read = ReadBack(Written(InputMajor)).Network;

        Assert.True(read.Layout.InputMajorFirstLayer);
        Assert.Equal(new[] { 40, 6, 3 }, read.Layout.Sizes);
    }

    [Fact]
    public void InputMajorNetworkReadsBackWithEveryParameterBitForBit()
    {
        MlpNetwork read = ReadBack(Written(InputMajor)).Network;

        AssertBitIdentical(InputMajor.Parameters.ToArray(), read.Parameters.ToArray());
    }

    [Fact]
    public void InputMajorNetworkReadBackScoresBitIdentically()
    {
        MlpNetwork read = ReadBack(Written(InputMajor)).Network;
        float[] row = SparseRow(new Random(32), 40, 6);

        AssertBitIdentical(Predict(InputMajor, row), Predict(read, row));
        AssertBitIdentical(PredictSparse(InputMajor, row), PredictSparse(read, row));
    }

    [Fact]
    public void UnitMajorNetworkReadsBackUnitMajor()
    {
        MlpNetwork read = ReadBack(Written(UnitMajorTwin(InputMajor))).Network;

        Assert.False(read.Layout.InputMajorFirstLayer);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public void BlockIsFormat3WithTheLayoutCodeAfterTheLevelSizes(bool inputMajor, int code)
    {
        var block = new MlpBlock(Written(inputMajor ? InputMajor : UnitMajorTwin(InputMajor)), 0);

        Assert.Equal(3, block.Version);
        Assert.Equal(3, block.LevelCount);
        Assert.Equal(block.LevelSizeOffset(3), block.FirstLayerLayoutOffset);
        Assert.Equal(code, block.ReadInt32(block.FirstLayerLayoutOffset));
        Assert.Equal((int)MlpActivation.ReLU, block.ReadInt32(block.ActivationOffset));
        Assert.Equal(InputMajor.Layout.ParameterCount, block.ParameterCount);
    }

    [Fact]
    public void InputMajorParametersAreStoredInTheirInputMajorOrder()
    {
        var block = new MlpBlock(Written(InputMajor), 0);

        // Parameter 1 of an input-major first layer is input 0's weight to unit 1.
        Assert.Equal(BitConverter.SingleToInt32Bits(InputMajor.Parameters[1]), block.ReadInt32(block.ParameterOffset(1)));
        Assert.Equal(BitConverter.SingleToInt32Bits(InputMajor.Weights(0).Span[1 * 40 + 0]), block.ReadInt32(block.ParameterOffset(1)));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-1)]
    public void UnknownLayoutCodeIsRejected(int code)
    {
        var block = new MlpBlock(Written(InputMajor), 0);

        var error = Assert.Throws<InvalidDataException>(() => ReadBack(block.WithInt32(block.FirstLayerLayoutOffset, code).WithCrcRecomputed().Bytes));

        Assert.Equal($"Cannot load the MlpTrainer model {ModelName}: its first-layer layout code {code} is unknown (0 = unit-major, 1 = input-major).", error.Message);
    }

    [Fact]
    public void Format2BlockReadsAsAUnitMajorNetwork()
    {
        MlpNetwork unitMajor = UnitMajorTwin(InputMajor);
        byte[] format2 = AsFormat2(new MlpBlock(Written(unitMajor), 0));

        MlpNetwork read = ReadBack(format2).Network;

        Assert.False(read.Layout.InputMajorFirstLayer);
        AssertBitIdentical(unitMajor.Parameters.ToArray(), read.Parameters.ToArray());
    }

    [Fact]
    public void DamagedLevelSizeIsReportedAsAChecksumMismatch()
    {
        var block = new MlpBlock(Written(InputMajor), 0);

        var error = Assert.Throws<InvalidDataException>(() => ReadBack(block.WithInt32(block.LevelSizeOffset(1), 7).Bytes));

        Assert.Contains("its checksum does not match", error.Message);
    }

    [Fact]
    public void DamagedLayoutCodeIsReportedAsAChecksumMismatch()
    {
        var block = new MlpBlock(Written(InputMajor), 0);

        var error = Assert.Throws<InvalidDataException>(() => ReadBack(block.WithInt32(block.FirstLayerLayoutOffset, 0).Bytes));

        Assert.Contains("its checksum does not match", error.Message);
    }

    [Fact]
    public void PayloadBytesIsTheLengthTheBlockDeclares()
    {
        var history = new[] { new MlpEpochReport(1, 0.5, null, null, 0.01f, 1.5), new MlpEpochReport(2, 0.25, 0.3, 0.9, 0.01f, 1.25) };
        var block = new MlpBlock(Written(InputMajor, history), 0);

        Assert.Equal(block.PayloadLength, NetworkSerializer.PayloadBytes(InputMajor.Layout, history.Length));
    }

    [Fact]
    public void NetworkWhosePayloadWouldPass2GiBIsRefusedNamingItsSizeAndTheWayOut()
    {
        // 2^21 hashed features × 300 units: 629 million parameters, 2.5 GB. Only the layout is built, no parameters.
        var layout = new NetworkLayout(new[] { 1 << 21, 300, 2 }, inputMajorFirstLayer: true);

        var error = Assert.Throws<InvalidOperationException>(() => NetworkSerializer.EnsureWritable(layout, historyEpochs: 10));

        long bytes = NetworkSerializer.PayloadBytes(layout, 10);
        Assert.Contains(bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes", error.Message);
        Assert.Contains("2097152-300-2", error.Message);
        Assert.Contains("at most 2,147,483,647 bytes", error.Message);
        Assert.Contains("fewer hash bits", error.Message);
        Assert.Contains("fewer hidden units", error.Message);
    }

    [Fact]
    public void NetworkJustUnder2GiBIsWritable()
    {
        // 2^21 × 255 + 255 + 255·2 + 2 parameters: 2.14 GB of payload.
        var layout = new NetworkLayout(new[] { 1 << 21, 255, 2 }, inputMajorFirstLayer: true);

        Assert.True(NetworkSerializer.PayloadBytes(layout, 100) < int.MaxValue);
        NetworkSerializer.EnsureWritable(layout, historyEpochs: 100);
    }

    [Fact]
    public void WritingStreamsTheParametersWithoutCopyingThem()
    {
        MlpNetwork network = Create(new[] { 1 << 18, 8, 3 }, seed: 33); // 8 MiB of parameters
        using var writer = new BinaryWriter(Stream.Null);
        NetworkSerializer.Write(writer, InputMajor, Settings, Array.Empty<MlpEpochReport>()); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        NetworkSerializer.Write(writer, network, Settings, Array.Empty<MlpEpochReport>());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 64 * 1024, $"Writing {4L * network.Layout.ParameterCount} bytes of parameters allocated {allocated} bytes.");
    }

    [Fact]
    public void ReadingAllocatesTheParametersOnceAndLittleElse()
    {
        MlpNetwork network = Create(new[] { 1 << 18, 8, 3 }, seed: 34);
        byte[] bytes = Written(network);
        ReadBack(Written(InputMajor)); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        NetworkSerializer.Contents read = ReadBack(bytes);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        long parameterBytes = 4L * network.Layout.ParameterCount;
        Assert.Equal(network.Layout.ParameterCount, read.Network.Parameters.Length);
        Assert.True(allocated < parameterBytes + (2 << 20), $"Reading {parameterBytes} bytes of parameters allocated {allocated} bytes.");
    }

    private static byte[] Written(MlpNetwork network, IReadOnlyList<MlpEpochReport>? history = null)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            NetworkSerializer.Write(writer, network, Settings, history ?? Array.Empty<MlpEpochReport>());
        return stream.ToArray();
    }

    private static NetworkSerializer.Contents ReadBack(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false));
        return NetworkSerializer.Read(reader, ModelName);
    }

    /// <summary>A format-3 block of a unit-major network rewritten as format 2 wrote it: no layout field, version 2.</summary>
    private static byte[] AsFormat2(MlpBlock block)
    {
        Assert.Equal(0, block.ReadInt32(block.FirstLayerLayoutOffset));
        int cut = block.FirstLayerLayoutOffset;
        byte[] bytes = block.Bytes.AsSpan(0, cut).ToArray().Concat(block.Bytes.AsSpan(cut + 4).ToArray()).ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(block.VersionOffset), 2);
        int payloadLength = block.PayloadLength - 4;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(block.LengthOffset), payloadLength);
        uint crc = Crc32.HashToUInt32(bytes.AsSpan(block.PayloadOffset, payloadLength));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(block.PayloadOffset + payloadLength), crc);
        return bytes;
    }
}
