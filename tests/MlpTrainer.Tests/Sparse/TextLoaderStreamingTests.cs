using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Tests.Sparse;

/// <summary>
/// A text file read by ML.NET's <c>TextLoader</c> does not know its row count. It is read into memory only while it stays
/// under <see cref="MlpOptions.InMemoryLimitBytes"/>; past the limit training streams it, and with a shuffle buffer that
/// holds every row (the automatic buffer does, for a small file) it trains exactly the model the in-memory path trains.
/// </summary>
public sealed class TextLoaderStreamingTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"mlp-textloader-{Guid.NewGuid():N}.csv");

    public TextLoaderStreamingTests()
    {
        // 300 rows, 40 features of which about 3 are non-zero, label = which of three feature groups holds the most.
        var random = new Random(17);
        var text = new StringBuilder();
        for (int r = 0; r < 300; r++)
        {
            var features = new float[40];
            for (int k = 0; k < 3; k++)
                features[random.Next(40)] = (float)Math.Round(random.NextDouble() * 4 - 1, 3);
            int label = Enumerable.Range(0, 3).OrderByDescending(g => features.Skip(g * 13).Take(13).Sum()).First();
            text.Append(label.ToString(CultureInfo.InvariantCulture)).Append(',')
                .AppendJoin(',', features.Select(f => f.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        }
        File.WriteAllText(_file, text.ToString());
    }

    public void Dispose() => File.Delete(_file);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DataAboveTheLimitStreamsAndTrainsTheInMemoryModel(bool sparse)
    {
        (float[] inMemory, List<string> memoryLog) = Fit(sparse, limit: null);
        (float[] streamed, List<string> streamLog) = Fit(sparse, limit: 2_000);

        Assert.Contains(memoryLog, m => m.Contains("on 300 rows:", StringComparison.Ordinal));
        Assert.Contains(streamLog, m => m.Contains("Streaming the training data instead", StringComparison.Ordinal));
        Assert.Contains(streamLog, m => m.Contains("on 300 rows (streamed)", StringComparison.Ordinal));
        Assert.Equal(inMemory, streamed);
    }

    [Fact]
    public void ALoaderOfUnknownSizeIsReadOnlyWhileItStaysUnderTheLimit()
    {
        (_, List<string> log) = Fit(sparse: false, limit: 2_000);

        string switched = Assert.Single(log, m => m.Contains("Streaming the training data instead", StringComparison.Ordinal));
        // Reading stops at the first check past the limit: 256 rows of 40 dense features, not the whole file.
        Assert.Contains("256 rows already took", switched);
        Assert.Contains(log, m => m.Contains("does not know its row count", StringComparison.Ordinal));
    }

    private (float[] Parameters, List<string> Log) Fit(bool sparse, long? limit)
    {
        var ml = new MLContext(seed: 0);
        var log = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source.StartsWith("Mlp", StringComparison.Ordinal))
                lock (log)
                    log.Add(e.Message);
        };
        IDataView data = ml.Data.LoadFromTextFile(_file, new[]
        {
            new TextLoader.Column("Class", DataKind.Single, 0),
            new TextLoader.Column("Features", DataKind.Single, 1, 40),
        }, separatorChar: ',');
        Assert.Null(data.GetRowCount());
        var options = new MlpOptions
        {
            LabelColumnName = "Label", HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 4, BatchSize = 16, Seed = 5,
            SparseFeatures = sparse, InMemoryLimitBytes = limit,
            ValidationFraction = 0, // all rows train, so the in-memory and the streamed run see the same ones
        };
        var model = ml.Transforms.Conversion.MapValueToKey("Label", "Class")
            .Append(ml.MulticlassClassification.Trainers.Mlp(options))
            .Fit(data);
        return (model.LastTransformer.Model.Network.Parameters.ToArray(), log);
    }
}
