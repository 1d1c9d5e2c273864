using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Model;
using static MlpTrainer.Tests.SparseModels.InputMajorNetworks;
using static MlpTrainer.Tests.SparseModels.SparseFeatureData;

namespace MlpTrainer.Tests.SparseModels;

/// <summary>
/// An input-major model scoring through ML.NET's <c>Transform</c>: a sparse feature column goes to the network as it is,
/// with the scores of the same rows given dense and, within rounding, of the same network stored unit-major; no
/// input-wide row is ever allocated, however wide the hashed features; and its public weights still read unit-major.
/// </summary>
public sealed class InputMajorMlNetScoringTests
{
    public static TheoryData<string> AllTasks => TaskNames;

    [Theory]
    [MemberData(nameof(AllTasks))]
    public void SparseFeatureColumnScoresBitIdenticallyToTheSameRowsDense(string taskName)
    {
        MlpTask task = Enum.Parse<MlpTask>(taskName);
        var ml = new MLContext(seed: 1);
        float[][] features = FeatureRows(60, 44);
        IDataView sparse = SparseView(ml, features, task), dense = DenseView(ml, features, task);
        ITransformer model = Transformer(ml, Network(task), sparse.Schema);

        float[][] fromSparse = Scores(model.Transform(sparse)), fromDense = Scores(model.Transform(dense));

        AssertBitIdentical(fromDense.SelectMany(s => s).ToArray(), fromSparse.SelectMany(s => s).ToArray());
    }

    [Theory]
    [MemberData(nameof(AllTasks))]
    public void SparseFeatureColumnScoresLikeTheUnitMajorTwin(string taskName)
    {
        MlpTask task = Enum.Parse<MlpTask>(taskName);
        var ml = new MLContext(seed: 1);
        IDataView data = SparseView(ml, FeatureRows(60, 45), task);
        MlpNetwork network = Network(task);

        float[][] inputMajor = Scores(Transformer(ml, network, data.Schema).Transform(data));
        float[][] unitMajor = Scores(Transformer(ml, UnitMajorTwin(network), data.Schema).Transform(data));

        AssertClose(unitMajor.SelectMany(s => s).ToArray(), inputMajor.SelectMany(s => s).ToArray(), what: "score");
    }

    [Fact]
    public void ScoringAHashedWidthModelNeverAllocatesAnInputWideRow()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = HashedView(ml, 50, 46);
        ITransformer model = Transformer(ml, Create(new[] { HashedWidth, 8, 1 }, MlpTask.Regression, seed: 47), data.Schema);
        IDataView scored = model.Transform(data);
        ScoreAll(scored); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        float sum = ScoreAll(scored);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(float.IsFinite(sum));
        Assert.True(allocated < HashedWidth * sizeof(float) / 4,
            $"Scoring 50 rows of a {HashedWidth}-feature model allocated {allocated} bytes; one dense row is {HashedWidth * sizeof(float)}.");
    }

    [Fact]
    public void GetWeightsReadsEveryLayerUnitMajorLikeTheTwins()
    {
        var ml = new MLContext(seed: 1);
        MlpNetwork network = Network(MlpTask.Multiclass);
        var model = (MlpModelParameters)ModelParameters(ml, network);
        var twin = (MlpModelParameters)ModelParameters(ml, UnitMajorTwin(network));

        for (int layer = 0; layer < model.LayerCount; layer++)
        {
            Assert.Equal(twin.GetWeights(layer).ToArray(), model.GetWeights(layer).ToArray());
            Assert.Equal(twin.GetBiases(layer).ToArray(), model.GetBiases(layer).ToArray());
        }
    }

    /// <summary>Reads every row's Score with one cursor; returns their sum.</summary>
    private static float ScoreAll(IDataView scored)
    {
        DataViewSchema.Column column = scored.Schema["Score"];
        using DataViewRowCursor cursor = scored.GetRowCursor(new[] { column });
        ValueGetter<float> getter = cursor.GetGetter<float>(column);
        float value = 0, sum = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            sum += value;
        }
        return sum;
    }
}
