using Microsoft.ML;
using MlpTrainer.Data;
using MlpTrainer.Model;
using MlpTrainer.Tests.Learning;
using MlpTrainer.Training;

namespace MlpTrainer.Tests.Streaming;

/// <summary>Data, fitting with a captured log, and a direct look at the streaming minibatch source.</summary>
internal static class StreamingTestData
{
    /// <summary>
    /// Rows whose first feature is the row's number (the second a constant), three classes; the rows listed in
    /// <paramref name="nanRows"/> get a NaN feature and those in <paramref name="missingLabelRows"/> a missing label.
    /// </summary>
    public static Datasets.Set NumberedRows(int count, int[]? nanRows = null, int[]? missingLabelRows = null)
    {
        var features = new float[count][];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            features[i] = new[] { (float)i, nanRows?.Contains(i) == true ? float.NaN : 1f };
            labels[i] = missingLabelRows?.Contains(i) == true ? 99 : i % 3; // 99 is outside the key set: a missing label
        }
        return new Datasets.Set(features, labels, 3);
    }

    /// <summary>Every row number an epoch of a streaming source emits, in order, read from the first feature of each minibatch row.</summary>
    public static List<int> EpochRows(StreamingMinibatchSource source, BackpropTrainer trainer, int epoch)
    {
        var seen = new List<int>();
        source.BeginEpoch(epoch);
        int width = trainer.InputBatch.Length / trainer.BatchCapacity;
        while (source.Next(trainer.Batch, out int rows, out _))
        {
            Assert.InRange(rows, 1, source.BatchSize);
            for (int r = 0; r < rows; r++)
                seen.Add((int)trainer.InputBatch[r * width]);
        }
        return seen;
    }

    public static StreamingMinibatchSource Source(MLContext ml, Datasets.Set set, int bufferRows, int batch, int seed, bool shuffle = true)
    {
        DataViewColumns columns = DataViewColumns.Resolve(Datasets.ToDataView(ml, set), MlpTask.Multiclass, "Features", "Label", null);
        StreamingScan.Result scan = StreamingScan.Run(columns, null, sparse: false, hashRows: false);
        return new StreamingMinibatchSource(columns, scan.TrainRows, scan.TrainWeightSum, bufferRows, shuffle, seed, batch, RowAdjustment.None, null);
    }

    public static BackpropTrainer Trainer(int features, int batch)
        => new(new NetworkLayout(new[] { features, 3 }), MlpActivation.Tanh, 0.01f, batch, threads: 1);

    /// <summary>Fits a multiclass MLP and returns the model with every message the run logged.</summary>
    public static (MlpModelParameters Model, List<string> Log) FitLogged(MlpOptions options, Datasets.Set set)
    {
        var ml = new MLContext(seed: 0);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            lock (messages)
                messages.Add(e.Message);
        };
        MlpModelParameters model = new MlpEstimator(ml, options).Fit(Datasets.ToDataView(ml, set)).Model;
        return (model, messages);
    }

    public static MlpModelParameters Fit(MlpOptions options, Datasets.Set set) => FitLogged(options, set).Model;

    /// <summary>Small, quick options for three blobs, streamed through a buffer of <paramref name="bufferRows"/> rows (0: automatic).</summary>
    public static MlpOptions Streamed(int bufferRows, int epochs = 6) => new()
    {
        HiddenLayerSizes = new[] { 8 },
        Activation = MlpActivation.Tanh,
        LearningRate = 0.02f,
        BatchSize = 16,
        NumberOfEpochs = epochs,
        Seed = 7,
        NumberOfThreads = 1,
        StreamingShuffleBufferRows = bufferRows,
    };
}
