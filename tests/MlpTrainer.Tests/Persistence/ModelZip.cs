using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace MlpTrainer.Tests.Persistence;

/// <summary>Reads and rewrites entries of a model zip written by <c>MLContext.Model.Save</c>.</summary>
internal static class ModelZip
{
    /// <summary>"MLPW" as NetworkSerializer writes it: the uint32 0x57504C4D, little-endian.</summary>
    public static readonly byte[] MagicBytes = { 0x4D, 0x4C, 0x50, 0x57 };

    /// <summary>The one entry whose bytes contain the MLP's NetworkSerializer block, and that block.</summary>
    public static (string EntryName, byte[] Bytes, MlpBlock Block) FindMlpEntry(string zipPath)
    {
        using ZipArchive zip = ZipFile.OpenRead(zipPath);
        var hits = new List<(string, byte[], MlpBlock)>();
        foreach (ZipArchiveEntry entry in zip.Entries)
        {
            byte[] bytes = Read(entry);
            int at = bytes.AsSpan().IndexOf(MagicBytes);
            if (at >= 0)
                hits.Add((entry.FullName, bytes, new MlpBlock(bytes, at)));
        }
        Assert.True(hits.Count == 1, $"Expected one entry with the MLPW marker in {zipPath}, found {hits.Count}: " +
                                     string.Join(", ", hits.Select(h => h.Item1)));
        return hits[0];
    }

    public static IReadOnlyList<string> EntryNames(string zipPath)
    {
        using ZipArchive zip = ZipFile.OpenRead(zipPath);
        return zip.Entries.Select(e => e.FullName).ToList();
    }

    public static byte[] ReadEntry(string zipPath, string entryName)
    {
        using ZipArchive zip = ZipFile.OpenRead(zipPath);
        return Read(zip.GetEntry(entryName) ?? throw new FileNotFoundException($"No entry {entryName} in {zipPath}."));
    }

    /// <summary>Copies <paramref name="sourceZip"/> to <paramref name="destinationZip"/> with one entry's bytes replaced.</summary>
    public static void CopyReplacing(string sourceZip, string destinationZip, string entryName, byte[] newBytes)
    {
        using ZipArchive source = ZipFile.OpenRead(sourceZip);
        using ZipArchive destination = ZipFile.Open(destinationZip, ZipArchiveMode.Create);
        bool replaced = false;
        foreach (ZipArchiveEntry entry in source.Entries)
        {
            byte[] bytes = entry.FullName == entryName ? newBytes : Read(entry);
            replaced |= entry.FullName == entryName;
            using Stream output = destination.CreateEntry(entry.FullName).Open();
            output.Write(bytes);
        }
        Assert.True(replaced, $"No entry {entryName} in {sourceZip}.");
    }

    /// <summary>
    /// Removes <paramref name="count"/> bytes at <paramref name="start"/> from the model block of an ML.NET model
    /// entry and moves the ML.NET header's offsets (model size, string table, assembly name, tail, end) to match,
    /// so that ML.NET's container stays valid and the cut is seen by the model's own reader.
    /// </summary>
    public static byte[] CutFromModelBlock(byte[] entry, int start, int count)
    {
        // ML.NET's ModelHeader (Microsoft.ML.Core/Data/ModelHeader.cs), 256 bytes at the start of the entry.
        const int fpModel = 0x10, cbModel = 0x18, fpStringTable = 0x20, fpStringChars = 0x30, fpTail = 0x80, fpLim = 0x88, fpAssemblyName = 0x90;
        long modelStart = BinaryPrimitives.ReadInt64LittleEndian(entry.AsSpan(fpModel));
        long modelEnd = modelStart + BinaryPrimitives.ReadInt64LittleEndian(entry.AsSpan(cbModel));
        Assert.True(start >= modelStart && start + count <= modelEnd, "The cut must stay inside the model block.");

        byte[] result = entry.AsSpan(0, start).ToArray().Concat(entry.AsSpan(start + count).ToArray()).ToArray();
        Shift(cbModel, always: true);
        foreach (int field in new[] { fpStringTable, fpStringChars, fpTail, fpLim, fpAssemblyName })
            Shift(field, always: false);
        return result;

        void Shift(int field, bool always)
        {
            long value = BinaryPrimitives.ReadInt64LittleEndian(result.AsSpan(field));
            if (always || value != 0)
                BinaryPrimitives.WriteInt64LittleEndian(result.AsSpan(field), value - count);
        }
    }

    private static byte[] Read(ZipArchiveEntry entry)
    {
        using Stream stream = entry.Open();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}

/// <summary>
/// Where each field of a NetworkSerializer block sits in a byte array (see NetworkSerializer's format comment),
/// and edits to it. Offsets are absolute positions in <see cref="Bytes"/>.
/// </summary>
internal sealed class MlpBlock
{
    public MlpBlock(byte[] bytes, int magicOffset)
    {
        Bytes = bytes;
        MagicOffset = magicOffset;
    }

    public byte[] Bytes { get; }

    public int MagicOffset { get; }

    public int VersionOffset => MagicOffset + 4;

    public int LengthOffset => MagicOffset + 8;

    public int PayloadOffset => MagicOffset + 12;

    public int PayloadLength => ReadInt32(LengthOffset);

    public int CrcOffset => PayloadOffset + PayloadLength;

    /// <summary>The first byte after the block.</summary>
    public int End => CrcOffset + 4;

    public int TaskOffset => PayloadOffset;

    public int LevelCountOffset => PayloadOffset + 4;

    public int LevelCount => ReadInt32(LevelCountOffset);

    public int LevelSizeOffset(int level) => PayloadOffset + 8 + 4 * level;

    /// <summary>The format version the block declares; format 3 added the first-layer layout field.</summary>
    public int Version => ReadInt32(VersionOffset);

    /// <summary>Format 3 on: the first layer's layout code (0 unit-major, 1 input-major), right after the level sizes.</summary>
    public int FirstLayerLayoutOffset => Version >= 3
        ? LevelSizeOffset(LevelCount)
        : throw new InvalidOperationException($"A format {Version} block has no first-layer layout field.");

    public int ActivationOffset => LevelSizeOffset(LevelCount) + (Version >= 3 ? 4 : 0);

    public int SlopeOffset => ActivationOffset + 4;

    /// <summary>After activation, slope, optimizer, learning rate, momentum (4 bytes each), Nesterov (1),
    /// beta1, beta2, epsilon, L2 (4 each), batch size and epochs (4 each): 45 bytes.</summary>
    public int ParameterCountOffset => ActivationOffset + 45;

    public int ParameterCount => ReadInt32(ParameterCountOffset);

    public int ParametersOffset => ParameterCountOffset + 4;

    public int ParameterOffset(int index) => ParametersOffset + 4 * index;

    public int ReadInt32(int offset) => BinaryPrimitives.ReadInt32LittleEndian(Bytes.AsSpan(offset));

    public uint StoredCrc => BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(CrcOffset));

    public MlpBlock WithInt32(int offset, int value)
    {
        byte[] copy = (byte[])Bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(offset), value);
        return new MlpBlock(copy, MagicOffset);
    }

    public MlpBlock WithSingle(int offset, float value) => WithInt32(offset, BitConverter.SingleToInt32Bits(value));

    public MlpBlock WithByteFlipped(int offset, byte mask = 0x10)
    {
        byte[] copy = (byte[])Bytes.Clone();
        copy[offset] ^= mask;
        return new MlpBlock(copy, MagicOffset);
    }

    /// <summary>A copy whose stored CRC-32 matches its (edited) payload, so the checks after the checksum fire.</summary>
    public MlpBlock WithCrcRecomputed()
    {
        uint crc = Crc32.HashToUInt32(Bytes.AsSpan(PayloadOffset, PayloadLength));
        byte[] copy = (byte[])Bytes.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(CrcOffset), crc);
        return new MlpBlock(copy, MagicOffset);
    }
}
