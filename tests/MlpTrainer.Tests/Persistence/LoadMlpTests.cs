using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Tests.Persistence;

/// <summary>
/// <c>mlContext.Model.LoadMlp</c>: a damaged or cut MLP entry reaches the caller as one <see cref="InvalidDataException"/>
/// (the exact type, not somewhere in a chain) whose own message names the file, the entry and the damage; ML.NET's
/// <c>Load</c>, for the same files, wraps the loader's exception (which is why LoadMlp exists).
/// </summary>
public sealed class LoadMlpTests : IClassFixture<SavedPipelineFile>, IDisposable
{
    private readonly SavedPipelineFile _saved;
    private readonly TempFolder _temp = new();

    public LoadMlpTests(SavedPipelineFile saved) => _saved = saved;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void An_undamaged_file_loads_and_scores_as_Load_does()
    {
        string copy = WithEntry(_saved.EntryBytes);
        var ml = new MLContext();

        ITransformer viaLoadMlp = ml.Model.LoadMlp(copy, out DataViewSchema schema);
        ITransformer viaLoad = ml.Model.Load(copy, out _);

        Assert.NotNull(schema);
        IDataView data = PersistenceData.Pipeline.TrainingData;
        float[] Scores(ITransformer model) => model.Transform(data).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        Assert.Equal(Scores(viaLoad), Scores(viaLoadMlp));
    }

    [Fact]
    public void A_flipped_weight_byte_is_one_InvalidDataException_naming_the_file_the_entry_and_the_checksum()
    {
        string path = WithEntry(_saved.Block.WithByteFlipped(_saved.Block.ParameterOffset(3) + 1).Bytes);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => new MLContext().Model.LoadMlp(path, out _));

        Assert.Matches(
            "^" + Regex.Escape($"Cannot load the MlpTrainer model in '{path}', entry '{_saved.EntryName}': its checksum does not match (stored 0x")
                + "[0-9A-F]{8}, computed 0x[0-9A-F]{8}" + Regex.Escape("): the weights are damaged.") + "$",
            error.Message);
    }

    [Fact]
    public void An_entry_cut_in_half_is_one_InvalidDataException_naming_the_file_the_entry_and_both_lengths()
    {
        int half = _saved.EntryBytes.Length / 2;
        string path = WithEntry(_saved.EntryBytes.AsSpan(0, half).ToArray());

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => new MLContext().Model.LoadMlp(path, out _));

        Assert.Equal($"Cannot load the MlpTrainer model in '{path}', entry '{_saved.EntryName}': the entry was cut short: its ML.NET header " +
                     $"records {_saved.EntryBytes.Length} bytes, the entry holds {half}.", error.Message);
        Assert.Contains(Chain(error), e => e is FormatException);   // ML.NET's own, kept as the inner exception
    }

    [Fact]
    public void An_entry_cut_inside_ML_NETs_header_says_so()
    {
        string path = WithEntry(_saved.EntryBytes.AsSpan(0, 100).ToArray());

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => new MLContext().Model.LoadMlp(path, out _));

        // The 100 bytes still hold the header's model signature, so the entry is known to be the MLP's.
        Assert.Equal($"Cannot load the MlpTrainer model in '{path}', entry '{_saved.EntryName}': the entry holds 100 bytes, fewer than the 256 " +
                     "of ML.NET's model header: it was cut short.", error.Message);
    }

    [Fact]
    public void A_cut_inside_the_MLP_block_with_ML_NETs_header_adjusted_names_the_truncation()
    {
        int cutAt = _saved.Block.ParameterOffset(10);
        string path = WithEntry(ModelZip.CutFromModelBlock(_saved.EntryBytes, cutAt, _saved.Block.End - cutAt));

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => new MLContext().Model.LoadMlp(path, out _));

        Assert.StartsWith($"Cannot load the MlpTrainer model in '{path}', entry '{_saved.EntryName}': it declares a payload of " +
                          $"{_saved.Block.PayloadLength} bytes but only ", error.Message);
        Assert.EndsWith("(the file is truncated or damaged).", error.Message);
    }

    [Fact]
    public void From_a_stream_a_cut_entry_is_the_same_InvalidDataException_naming_the_stream()
    {
        int half = _saved.EntryBytes.Length / 2;
        using var stream = new MemoryStream(File.ReadAllBytes(WithEntry(_saved.EntryBytes.AsSpan(0, half).ToArray())));

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => new MLContext().Model.LoadMlp(stream, out _));

        Assert.StartsWith($"Cannot load the MlpTrainer model in the stream, entry '{_saved.EntryName}': the entry was cut short", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_zip_fails_as_Load_fails()
    {
        string path = _temp.File("not-a-model.zip");
        File.WriteAllText(path, "not a zip");

        Exception viaLoad = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(path, out _));
        Exception viaLoadMlp = Assert.ThrowsAny<Exception>(() => new MLContext().Model.LoadMlp(path, out _));

        Assert.Equal(viaLoad.GetType(), viaLoadMlp.GetType());
        Assert.Equal(viaLoad.Message, viaLoadMlp.Message);
    }

    [Fact]
    public void ML_NETs_Load_wraps_the_damage_so_its_caller_must_search_the_inner_exceptions()
    {
        // What the README tells a caller of mlContext.Model.Load to do; if ML.NET ever stops wrapping, README and
        // LoadMlp's reason to exist change with it.
        string path = WithEntry(_saved.Block.WithByteFlipped(_saved.Block.ParameterOffset(3) + 1).Bytes);

        Exception thrown = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(path, out _));

        Assert.IsType<TargetInvocationException>(thrown);
        InvalidDataException? damage = Chain(thrown).OfType<InvalidDataException>().FirstOrDefault();
        Assert.NotNull(damage);
        Assert.Contains("its checksum does not match", damage!.Message);
    }

    private string WithEntry(byte[] entryBytes)
    {
        string path = _temp.File(Guid.NewGuid().ToString("N") + ".zip");
        ModelZip.CopyReplacing(_saved.Path, path, _saved.EntryName, entryBytes);
        return path;
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x != null; x = x.InnerException)
            yield return x;
    }
}
