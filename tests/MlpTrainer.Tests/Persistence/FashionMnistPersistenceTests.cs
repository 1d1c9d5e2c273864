using Microsoft.ML;
using MlpTrainer.Samples.Data;

namespace MlpTrainer.Tests.Persistence;

/// <summary>
/// The persistence promise on real data: a Fashion-MNIST pipeline (MapValueToKey, NormalizeMinMax, MLP, MapKeyToValue)
/// saved in this process scores bit-identically in a fresh process that never registers anything, and a damaged
/// weights entry is refused there with a clear message. Needs Debian's dataset-fashion-mnist (.ci/run installs it).
/// </summary>
public sealed class FashionMnistPersistenceTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private (string Path, float[][] Rows, float[][] Scores) TrainAndSave()
    {
        Assert.True(FashionMnist.IsInstalled(),
            $"Fashion-MNIST is not in {FashionMnist.DefaultDirectory}: run 'apt-get install dataset-fashion-mnist' (.ci/run does).");
        var ml = new MLContext(seed: 0);
        FashionMnist train = FashionMnist.Load(train: true, maxRows: 3000);
        FashionMnist test = FashionMnist.Load(train: false, maxRows: 300);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(new MlpEstimator(ml, new MlpOptions { HiddenLayerSizes = new[] { 64, 32 }, BatchSize = 128, NumberOfEpochs = 2, Seed = 0 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", "PredictedLabel"));
        IDataView trainView = train.ToDataView(ml);
        var model = pipeline.Fit(trainView);
        string path = _temp.File("fashion-mnist.zip");
        ml.Model.Save(model, trainView.Schema, path);

        float[][] rows = Enumerable.Range(0, test.Count).Select(test.Image).ToArray();
        float[][] scores = PersistenceData.Scores(model, test.ToDataView(ml));
        return (path, rows, scores);
    }

    [Fact]
    public void ModelSavedHereScoresBitIdenticallyInAFreshProcess()
    {
        (string path, float[][] rows, float[][] scores) = TrainAndSave();

        ModelLoaderProcess.Result run = ModelLoaderProcess.Run(path, rows, _temp.Path);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(scores.Length, run.BatchScores.Length);
        for (int r = 0; r < scores.Length; r++)
        {
            Assert.Equal(BitsOf(scores[r]), BitsOf(run.BatchScores[r]));
            Assert.Equal(BitsOf(scores[r]), BitsOf(run.EngineScores[r]));
        }
    }

    [Fact]
    public void DamagedWeightsEntryIsRefusedInAFreshProcessWithAChecksumMessage()
    {
        (string path, float[][] rows, _) = TrainAndSave();
        (string entry, _, MlpBlock block) = ModelZip.FindMlpEntry(path);
        string damaged = _temp.File("damaged.zip");
        ModelZip.CopyReplacing(path, damaged, entry, block.WithByteFlipped(block.ParameterOffset(1000)).Bytes);

        ModelLoaderProcess.Result run = ModelLoaderProcess.Run(damaged, rows, _temp.Path);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("checksum does not match", run.StandardError + run.StandardOutput);
    }

    private static int[] BitsOf(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
