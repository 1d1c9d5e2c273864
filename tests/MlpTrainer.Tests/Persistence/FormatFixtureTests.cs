using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Tests.Persistence;

/// <summary>
/// The committed model file Fixtures/mlp-format1.zip: a pipeline MapValueToKey → NormalizeMinMax → MLP 4-5-3 (ReLU)
/// → MapKeyToValue, trained with <see cref="PersistenceData.FixtureOptions"/> on <see cref="PersistenceData.TrainingRows"/>
/// and saved by the first version of the format. Every later MlpTrainer must load it and score
/// <see cref="PersistenceData.ProbeFeatures"/> to exactly the float bit patterns recorded here.
/// <para>
/// Never regenerate it to make a failing test pass: a failure means files saved by users no longer load the same.
/// Regenerate only if the fixture itself must change (e.g. a new format version gets its own file next to this one):
/// <c>MLP_REGENERATE_FIXTURES=1 dotnet test tests/MlpTrainer.Tests --filter "FullyQualifiedName~RegenerateFixture"</c>,
/// then paste the bit patterns the test prints into <see cref="ExpectedScoreBits"/>.
/// </para>
/// <para>
/// The scores are computed with 128-bit vector code for the dot products and the runtime's expf for the softmax
/// (every level has fewer than 8 units); a platform whose float exp rounds differently could differ in the last bit.
/// </para>
/// </summary>
public sealed class FormatFixtureTests : IDisposable
{
    public const string FileName = "mlp-format1.zip";
    private const string RegenerateVariable = "MLP_REGENERATE_FIXTURES";

    /// <summary>The Score bit patterns (BitConverter.SingleToInt32Bits) of each probe row, in the order of the classes' keys.</summary>
    private static readonly int[][] ExpectedScoreBits =
    {
        new[] { 0x3F7F81E0, 0x3A4C87A5, 0x3A95FAB2 }, // 0.9980755, 0.0007802195, 0.0011442511
        new[] { 0x3ABC8553, 0x3F7F8856, 0x39CB41F9 }, // 0.0014382995, 0.9981741, 0.0003876833
        new[] { 0x39B5736D, 0x385A0D44, 0x3F7FE5EB }, // 0.0003460901, 5.1987605E-05, 0.999602
        new[] { 0x3F27B312, 0x3EA49C73, 0x3CBFD672 }, // 0.65507615, 0.3215061, 0.023417685
        new[] { 0x3E6ACB08, 0x3E94616E, 0x3EF6390C }, // 0.22929013, 0.28980583, 0.48090398
        new[] { 0x318D8D31, 0x3F800000, 0x300C37CD }, // 4.1196917E-09, 1, 5.1011E-10
    };

    private readonly TempFolder _temp = new();

    public static string FixturePath => Path.Combine(SourceTree.FixturesDirectory, FileName);

    internal static float[][] ExpectedScores => ExpectedScoreBits.Select(r => r.Select(BitConverter.Int32BitsToSingle).ToArray()).ToArray();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void FixtureScoresTheProbeRowsExactlyAsRecorded()
    {
        var ml = new MLContext();
        ITransformer model = ml.Model.Load(FixturePath, out _);

        float[][] scores = PersistenceData.Scores(model, ml.Data.LoadFromEnumerable(PersistenceData.ProbeRows()));

        PersistenceData.AssertBitIdentical(ExpectedScores, scores);
    }

    [Fact]
    public void FixtureScoresThroughAPredictionEngineExactlyAsRecorded()
    {
        var ml = new MLContext();
        using var engine = ml.Model.CreatePredictionEngine<FlowerRow, ScoredRow>(ml.Model.Load(FixturePath, out _));

        float[][] scores = PersistenceData.ProbeRows().Select(r => (float[])engine.Predict(r).Score.Clone()).ToArray();

        PersistenceData.AssertBitIdentical(ExpectedScores, scores);
    }

    [Fact]
    public void FixtureExposesTheRecordedShapeActivationAndTraining()
    {
        var chain = (TransformerChain<ITransformer>)new MLContext().Model.Load(FixturePath, out _);

        MlpModelParameters model = chain.OfType<MulticlassPredictionTransformer<MlpModelParameters>>().Single().Model;

        Assert.Equal(new[] { 4, 5, 3 }, model.LayerSizes);
        Assert.Equal(MlpActivation.ReLU, model.HiddenActivation);
        Assert.Equal(12, model.EpochsTrained);
        Assert.Equal(MlpOptimizer.Adam, model.Settings.Optimizer);
        Assert.Equal(0.02f, model.Settings.LearningRate);
        Assert.Equal(16, model.Settings.BatchSize);
    }

    [Fact]
    public void FixtureHoldsItsMlpBlockInFormatVersion1()
    {
        MlpBlock block = ModelZip.FindMlpEntry(FixturePath).Block;

        Assert.Equal(1, block.ReadInt32(block.VersionOffset));
    }

    [Fact]
    public void FixtureLoadsInAFreshProcessWithTheRecordedScores()
    {
        ModelLoaderProcess.Result run = SeparateProcessLoadTests.Succeeded(
            ModelLoaderProcess.Run(FixturePath, PersistenceData.ProbeFeatures, _temp.Path));

        PersistenceData.AssertBitIdentical(ExpectedScores, run.BatchScores);
        PersistenceData.AssertBitIdentical(ExpectedScores, run.EngineScores);
    }

    /// <summary>
    /// Rewrites Fixtures/mlp-format1.zip (only with MLP_REGENERATE_FIXTURES=1), then checks the recorded bit
    /// patterns against it and prints the new ones if they differ.
    /// </summary>
    [RegenerationFact]
    public void RegenerateFixture()
    {
        TrainedPipeline trained = PersistenceData.Train(PersistenceData.FixtureOptions);
        Directory.CreateDirectory(SourceTree.FixturesDirectory);
        trained.MLContext.Model.Save(trained.Model, trained.TrainingData.Schema, FixturePath);

        var ml = new MLContext();
        float[][] scores = PersistenceData.Scores(ml.Model.Load(FixturePath, out _), ml.Data.LoadFromEnumerable(PersistenceData.ProbeRows()));

        bool same = scores.Length == ExpectedScoreBits.Length &&
                    scores.Zip(ExpectedScoreBits).All(p => p.First.Select(BitConverter.SingleToInt32Bits).SequenceEqual(p.Second));
        Assert.True(same, $"Wrote {FixturePath}. Paste its scores into {nameof(ExpectedScoreBits)}:\n{CSharpLiteral(scores)}");
    }

    private static string CSharpLiteral(float[][] scores)
    {
        var text = new StringBuilder();
        foreach (float[] row in scores)
        {
            text.Append("        new[] { ")
                .AppendJoin(", ", row.Select(v => $"0x{BitConverter.SingleToInt32Bits(v):X8}")) // probabilities: the sign bit is 0
                .Append(" }, // ")
                .AppendJoin(", ", row.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))
                .Append('\n');
        }
        return text.ToString();
    }

    /// <summary>A test that runs only when MLP_REGENERATE_FIXTURES=1, and is reported as skipped otherwise.</summary>
    private sealed class RegenerationFactAttribute : FactAttribute
    {
        public RegenerationFactAttribute()
        {
            if (Environment.GetEnvironmentVariable(RegenerateVariable) != "1")
                Skip = $"Rewrites the committed fixture; run with {RegenerateVariable}=1 to regenerate it.";
        }
    }
}
