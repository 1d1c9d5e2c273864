using System.Globalization;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlpTrainer.Mpi;
using MlpTrainer.Samples.Commands;
using MlpTrainer.Samples.Data;

namespace MlpTrainer.Samples.Samples;

/// <summary>
/// Data-parallel training on Fashion-MNIST under MPI, one process per worker (<c>mpiexec -n N dotnet
/// MlpTrainer.Samples.dll distributed</c>): the standard network (784-256-128-10 ReLU, Adam at 1e-3, a global batch of
/// 128, constant rate) on the fashion-mnist sample's view of the images (<c>MapValueToKey</c> by value,
/// <c>NormalizeMinMax</c>). Every worker loads the same images and trains on its share of each minibatch; every worker
/// prints a hash of its final weights, and worker 0 prints the test accuracy and the median epoch time and saves the
/// pipeline, an ordinary MlpTrainer model that loads and scores without MPI.
/// </summary>
public static class DistributedSample
{
    public const int DefaultEpochs = 5;

    public static int Run(TextWriter output, DistributedSettings settings)
    {
        if (!FashionMnist.IsInstalled(settings.DataDirectory))
            throw new UsageException($"Fashion-MNIST is not installed in {settings.DataDirectory}: run 'apt-get install dataset-fashion-mnist'.");
        MpiWorkerGroup started;
        try
        {
            started = MpiWorkerGroup.Initialize();
        }
        catch (DllNotFoundException e)
        {
            throw new UsageException(e.Message); // names apt-get install mpich and MLPTRAINER_MPI_LIBRARY
        }
        using MpiWorkerGroup workers = started;
        string me = $"rank {workers.Rank}/{workers.Size}";
        try
        {
            return Train(output, settings, workers, me);
        }
        catch (Exception e) when (workers.Size > 1)
        {
            // The other workers may be waiting for this one in a collective: end the whole job.
            Console.Error.WriteLine($"{me} failed: {e.Message}");
            workers.Abort(1);
            throw;
        }
    }

    private static int Train(TextWriter output, DistributedSettings settings, MpiWorkerGroup workers, string me)
    {
        bool root = workers.Rank == 0;
        var ml = new MLContext(seed: settings.Seed);
        FashionMnist trainImages = FashionMnist.Load(train: true, maxRows: settings.TrainRows, directory: settings.DataDirectory);
        if (root)
            output.WriteLine($"{trainImages.Count} training images on {workers.Size} workers ({settings.Threads} thread{(settings.Threads == 1 ? "" : "s")} each), MPI library {MpiWorkerGroup.LibraryName}.");

        var options = new MlpOptions
        {
            HiddenLayerSizes = new[] { 256, 128 },
            Activation = MlpActivation.ReLU,
            Optimizer = MlpOptimizer.Adam,
            LearningRate = 0.001f,
            BatchSize = 128,
            NumberOfEpochs = settings.Epochs,
            L2Regularization = 1e-4f,
            EarlyStoppingPatience = 0,
            Seed = settings.Seed,
            NumberOfThreads = settings.Threads,
            CheckpointDirectory = settings.CheckpointDirectory,
            ResumeFromCheckpoint = settings.Resume,
            Workers = workers,
            Progress = root ? new EpochLines(output, settings.Epochs) : null,
        };
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.Mlp(options));
        IDataView trainView = trainImages.ToDataView(ml);
        var model = pipeline.Fit(trainView);

        MlpModelParameters network = model.LastTransformer.Model;
        output.WriteLine($"{me} weights sha256 {WeightHash(network)}");
        IReadOnlyList<MlpEpochReport> history = network.TrainingHistory;
        double trainingSeconds = history.Sum(e => e.Seconds);
        output.WriteLine(FormattableString.Invariant(
            $"{me} collectives {workers.CollectiveTime.TotalSeconds:F2} s of {trainingSeconds:F2} s of training, {workers.BytesReduced / 1e6:F0} MB reduced"));
        if (!root)
            return 0;

        FashionMnist testImages = FashionMnist.Load(train: false, directory: settings.DataDirectory);
        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(model.Transform(testImages.ToDataView(ml)));
        output.WriteLine(FormattableString.Invariant($"test accuracy {metrics.MicroAccuracy:F4}"));
        double[] seconds = history.Select(e => e.Seconds).Order().ToArray();
        double median = seconds.Length % 2 == 1 ? seconds[seconds.Length / 2] : (seconds[seconds.Length / 2 - 1] + seconds[seconds.Length / 2]) / 2;
        output.WriteLine(FormattableString.Invariant($"median epoch {median:F2} s"));
        ml.Model.Save(model, trainView.Schema, settings.ModelPath);
        output.WriteLine($"saved the pipeline to {Path.GetFullPath(settings.ModelPath)}");
        return 0;
    }

    /// <summary>A hex SHA-256 of the network's weights and biases, layer by layer, as stored.</summary>
    public static string WeightHash(MlpModelParameters network)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (int layer = 0; layer < network.LayerCount; layer++)
        {
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(network.GetWeights(layer).Span));
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(network.GetBiases(layer).Span));
        }
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    /// <summary>One line per epoch on worker 0, as it ends.</summary>
    private sealed class EpochLines(TextWriter output, int epochs) : IProgress<MlpEpochReport>
    {
        public void Report(MlpEpochReport value)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {value.Epoch}/{epochs} training loss {value.TrainingLoss:F4} {value.Seconds:F2} s"));
            output.Flush();
        }
    }
}
