using Microsoft.ML;

namespace MlpTrainer.Tests.Persistence;

/// <summary>The trained pipeline saved once, and where its MLP block is, for tests that damage copies of it.</summary>
public sealed class SavedPipelineFile : IDisposable
{
    private readonly TempFolder _temp = new();

    public SavedPipelineFile()
    {
        TrainedPipeline trained = PersistenceData.Pipeline;
        Path = _temp.File("model.zip");
        new MLContext().Model.Save(trained.Model, trained.TrainingData.Schema, Path);
        (EntryName, EntryBytes, Block) = ModelZip.FindMlpEntry(Path);
    }

    public string Path { get; }

    /// <summary>The zip entry holding the MLP model: ML.NET's header, then the MLP block, then ML.NET's trailer.</summary>
    public string EntryName { get; }

    public byte[] EntryBytes { get; }

    internal MlpBlock Block { get; }

    /// <summary>How error messages name the model: its folder in the zip.</summary>
    public string ModelDirectory => EntryName[..EntryName.LastIndexOf('/')];

    public void Dispose() => _temp.Dispose();
}

/// <summary>
/// A damaged MLP entry makes <c>MLContext.Model.Load</c> fail with an <see cref="InvalidDataException"/> (ML.NET wraps
/// it; it is somewhere in the exception chain) that names the model and the problem, never with a
/// NullReferenceException or IndexOutOfRangeException, and never by loading a model that scores NaN.
/// </summary>
public sealed class CorruptedModelFileTests : IClassFixture<SavedPipelineFile>, IDisposable
{
    private readonly SavedPipelineFile _saved;
    private readonly TempFolder _temp = new();

    public CorruptedModelFileTests(SavedPipelineFile saved) => _saved = saved;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void UndamagedCopyLoads()
    {
        string copy = WithEntry(_saved.EntryBytes);

        Assert.NotNull(new MLContext().Model.Load(copy, out _));
    }

    [Fact]
    public void FlippedWeightByteFailsWithAChecksumError()
    {
        MlpBlock damaged = _saved.Block.WithByteFlipped(_saved.Block.ParameterOffset(3) + 1);

        InvalidDataException error = AssertLoadFails(WithEntry(damaged.Bytes));

        Assert.Contains("checksum does not match", error.Message);
        Assert.Contains("damaged", error.Message);
    }

    [Fact]
    public void FlippedByteInTheStoredChecksumFailsWithAChecksumError()
    {
        MlpBlock damaged = _saved.Block.WithByteFlipped(_saved.Block.CrcOffset);

        InvalidDataException error = AssertLoadFails(WithEntry(damaged.Bytes));

        Assert.Contains("checksum does not match", error.Message);
    }

    [Fact]
    public void ModelBlockCutInTheWeightsFailsWithATruncationError()
    {
        int cutAt = _saved.Block.ParameterOffset(10);
        byte[] cut = ModelZip.CutFromModelBlock(_saved.EntryBytes, cutAt, _saved.Block.End - cutAt);

        InvalidDataException error = AssertLoadFails(WithEntry(cut));

        Assert.Contains("truncated", error.Message);
        Assert.Contains($"declares a payload of {_saved.Block.PayloadLength} bytes", error.Message);
    }

    /// <summary>
    /// Fails at the time of writing: inside ML.NET the reader's stream runs past the model block into ML.NET's own
    /// trailer (the loader assembly name and the tail signature, 28 bytes), so a cut shorter than that is not seen
    /// as one and the trailer is read as payload and checksum: the message blames the checksum, not a truncation.
    /// </summary>
    [Fact]
    public void ModelBlockCutShortByEightBytesFailsWithATruncationError()
    {
        byte[] cut = ModelZip.CutFromModelBlock(_saved.EntryBytes, _saved.Block.End - 8, 8);

        InvalidDataException error = AssertLoadFails(WithEntry(cut));

        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void TruncatedEntryFailsInsideMlNetBeforeMlpTrainerReadsIt()
    {
        // ML.NET checks its own header (which records the entry's length) before MlpTrainer's loader runs, so the
        // error is ML.NET's FormatException; MlpTrainer cannot add its message. It must still be a clean failure.
        byte[] truncated = _saved.EntryBytes.AsSpan(0, _saved.Block.ParameterOffset(10)).ToArray();

        Exception thrown = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(WithEntry(truncated), out _));

        AssertNoProgrammingErrors(thrown);
        Assert.Contains(Chain(thrown), e => e is FormatException or InvalidDataException);
    }

    [Fact]
    public void FormatVersion99FailsNamingBothVersions()
    {
        MlpBlock newer = _saved.Block.WithInt32(_saved.Block.VersionOffset, 99);

        InvalidDataException error = AssertLoadFails(WithEntry(newer.Bytes));

        Assert.Contains("format version 99", error.Message);
        Assert.Contains("reads versions 1 to 3", error.Message);
        Assert.Contains("update MlpTrainer", error.Message);
    }

    [Fact]
    public void LevelSizeOfZeroFailsWithAShapeError()
    {
        MlpBlock damaged = _saved.Block.WithInt32(_saved.Block.LevelSizeOffset(1), 0).WithCrcRecomputed();

        InvalidDataException error = AssertLoadFails(WithEntry(damaged.Bytes));

        Assert.Contains("level 1 declares 0 units", error.Message);
    }

    [Fact]
    public void ParameterCountThatDoesNotMatchTheShapeFailsWithAShapeError()
    {
        MlpBlock damaged = _saved.Block.WithInt32(_saved.Block.ParameterCountOffset, 42).WithCrcRecomputed();

        InvalidDataException error = AssertLoadFails(WithEntry(damaged.Bytes));

        Assert.Contains("holds 42 parameters but its shape 4-5-3 needs 43", error.Message);
    }

    [Fact]
    public void LevelSizeThatDoesNotMatchTheStoredWeightsFailsWithAShapeError()
    {
        MlpBlock damaged = _saved.Block.WithInt32(_saved.Block.LevelSizeOffset(1), 6).WithCrcRecomputed();

        InvalidDataException error = AssertLoadFails(WithEntry(damaged.Bytes));

        Assert.Contains("holds 43 parameters but its shape 4-6-3 needs 51", error.Message);
    }

    [Fact]
    public void NaNWeightFailsToLoadInsteadOfScoringNaN()
    {
        MlpBlock damaged = _saved.Block.WithSingle(_saved.Block.ParameterOffset(2), float.NaN).WithCrcRecomputed();

        InvalidDataException error = AssertLoadFails(WithEntry(damaged.Bytes));

        Assert.Contains("parameter 2 is NaN", error.Message);
    }

    [Fact]
    public void WrongMarkerFailsNamingTheExpectedMarker()
    {
        MlpBlock damaged = _saved.Block.WithInt32(_saved.Block.MagicOffset, 0x12345678);

        InvalidDataException error = AssertLoadFails(WithEntry(damaged.Bytes));

        Assert.Contains("found 0x12345678, expected 0x57504C4D", error.Message);
    }

    /// <summary>Loads the file and returns the <see cref="InvalidDataException"/> in the chain, after checking it names the model.</summary>
    private InvalidDataException AssertLoadFails(string path)
    {
        Exception thrown = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(path, out _));

        AssertNoProgrammingErrors(thrown);
        InvalidDataException? error = Chain(thrown).OfType<InvalidDataException>().FirstOrDefault();
        Assert.True(error != null, "No InvalidDataException in the chain: " + Describe(thrown));
        Assert.StartsWith($"Cannot load the MlpTrainer model in '{_saved.ModelDirectory}': ", error!.Message);
        return error;
    }

    private string WithEntry(byte[] entryBytes)
    {
        string path = _temp.File(Guid.NewGuid().ToString("N") + ".zip");
        ModelZip.CopyReplacing(_saved.Path, path, _saved.EntryName, entryBytes);
        return path;
    }

    internal static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x != null; x = x.InnerException)
            yield return x;
    }

    internal static void AssertNoProgrammingErrors(Exception thrown)
        => Assert.False(Chain(thrown).Any(e => e is NullReferenceException or IndexOutOfRangeException or ArgumentOutOfRangeException
                                                  or OverflowException or OutOfMemoryException),
            "A damaged model must fail with a data error, not a programming error: " + Describe(thrown));

    internal static string Describe(Exception thrown)
        => string.Join(" <- ", Chain(thrown).Select(e => $"{e.GetType().Name}: {e.Message}"));
}
