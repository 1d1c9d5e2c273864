using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Tests.Persistence;

namespace MlpTrainer.Tests.SparseModels;

/// <summary>
/// Files written before format 3 recorded the first layer's layout keep loading, as unit-major networks, and score as
/// they did. Fixtures/mlp-format2.zip is the pipeline of <see cref="FormatFixtureTests"/> (MapValueToKey →
/// NormalizeMinMax → MLP 4-5-3 ReLU → MapKeyToValue, <see cref="PersistenceData.FixtureOptions"/>) trained and saved by
/// MlpTrainer at commit db51ee3, the last to write format 2; <see cref="ExpectedScoreBits"/> are the Score bit patterns
/// that model gave the probe rows in the process that trained it. Never regenerate it: it stands for files users have.
/// </summary>
public sealed class Format2FixtureTests
{
    /// <summary>The Score bit patterns (BitConverter.SingleToInt32Bits) of each probe row, in the order of the classes' keys.</summary>
    private static readonly int[][] ExpectedScoreBits =
    {
        new[] { 0x3F7F96B1, 0x3A4EEF1C, 0x3A564A30 }, // 0.9983931, 0.00078939064, 0.0008174507
        new[] { 0x393E7E84, 0x3F7FF157, 0x38309037 }, // 0.00018166943, 0.9997763, 4.209598E-05
        new[] { 0x3AF207DE, 0x38FE33DF, 0x3F7F7F09 }, // 0.0018465479, 0.000121213256, 0.99803215
        new[] { 0x3EF1F67D, 0x3EF5C3DA, 0x3D422D34 }, // 0.47258368, 0.48000985, 0.04740639
        new[] { 0x3E7164D0, 0x3E81115A, 0x3F031E1F }, // 0.23573613, 0.2520855, 0.51217836
        new[] { 0x173296DF, 0x3F800000, 0x1BE1EB01 }, // 5.770533E-25, 1, 3.7374995E-22
    };

    public static string FixturePath => Path.Combine(SourceTree.Root, "tests", "MlpTrainer.Tests", "SparseModels", "Fixtures", "mlp-format2.zip");

    private static float[][] ExpectedScores => ExpectedScoreBits.Select(r => r.Select(BitConverter.Int32BitsToSingle).ToArray()).ToArray();

    private static MlpModelParameters LoadedMlp(string path)
        => ((TransformerChain<ITransformer>)new MLContext().Model.Load(path, out _)).OfType<MulticlassPredictionTransformer<MlpModelParameters>>().Single().Model;

    [Fact]
    public void Format2FixtureHoldsItsMlpBlockInFormatVersion2()
    {
        MlpBlock block = ModelZip.FindMlpEntry(FixturePath).Block;

        Assert.Equal(2, block.Version);
    }

    [Fact]
    public void Format2FixtureScoresTheProbeRowsExactlyAsRecorded()
    {
        var ml = new MLContext();
        ITransformer model = ml.Model.Load(FixturePath, out _);

        float[][] scores = PersistenceData.Scores(model, ml.Data.LoadFromEnumerable(PersistenceData.ProbeRows()));

        PersistenceData.AssertBitIdentical(ExpectedScores, scores);
    }

    [Fact]
    public void Format2FixtureLoadsAsAUnitMajorNetworkWithItsHistory()
    {
        MlpModelParameters model = LoadedMlp(FixturePath);

        Assert.False(model.Network.Layout.InputMajorFirstLayer);
        Assert.Equal(new[] { 4, 5, 3 }, model.LayerSizes);
        Assert.Equal(12, model.TrainingHistory.Count);
    }

    [Fact]
    public void Format1FixtureLoadsAsAUnitMajorNetwork()
    {
        MlpModelParameters model = LoadedMlp(FormatFixtureTests.FixturePath);

        Assert.False(model.Network.Layout.InputMajorFirstLayer);
        Assert.Equal(new[] { 4, 5, 3 }, model.LayerSizes);
    }

    [Fact]
    public void Format2ModelResavedIsWrittenInFormat3()
    {
        using var temp = new TempFolder();

        MlpBlock block = ModelZip.FindMlpEntry(Resaved(temp)).Block;

        Assert.Equal(3, block.Version);
        Assert.Equal(0, block.ReadInt32(block.FirstLayerLayoutOffset));
    }

    [Fact]
    public void Format2ModelResavedScoresExactlyAsRecorded()
    {
        using var temp = new TempFolder();
        var ml = new MLContext();

        ITransformer reloaded = ml.Model.Load(Resaved(temp), out _);

        PersistenceData.AssertBitIdentical(ExpectedScores, PersistenceData.Scores(reloaded, ml.Data.LoadFromEnumerable(PersistenceData.ProbeRows())));
    }

    /// <summary>The fixture loaded and saved again by this MlpTrainer; returns the new file's path.</summary>
    private static string Resaved(TempFolder temp)
    {
        var ml = new MLContext();
        ITransformer model = ml.Model.Load(FixturePath, out DataViewSchema schema);
        string path = temp.File("resaved.zip");
        ml.Model.Save(model, schema, path);
        return path;
    }
}
