using MlpTrainer.Data;
using MlpTrainer.Model;

namespace MlpTrainer.Training;

/// <summary>
/// What <see cref="TrainingDataPreparation"/> decided and read: the network's layout (with a sparse first layer or
/// not), the training minibatches (in memory or streamed), the validation rows, the seed, the label scaling and how to
/// fingerprint the run for checkpoints, and the options the run trains with: the user's, with the values the data chose
/// for those left null (<see cref="AutomaticDefaults"/>).
/// </summary>
internal sealed record PreparedTraining(NetworkLayout Layout, IMinibatchSource Train, RowDataset? Validation, int[]? ValidationRows, int Seed,
    float OutputScale, float OutputOffset, bool Streamed, FeatureDensity Density, Func<float[], ulong> Fingerprint, MlpOptions Options) : IDisposable
{
    /// <summary>
    /// The network's standardisation of dense features (<see cref="MlpOptions.StandardizeFeatures"/>), or null. The rows
    /// are held (or streamed) as the data view gives them; it is applied to each row as a minibatch is filled, training
    /// and validation rows alike.
    /// </summary>
    public FeatureStandardization? Standardization { get; init; }

    /// <summary>Warnings about the data (rows left out), already told; the run keeps them on the first epoch it adds to the history.</summary>
    public IReadOnlyList<string> DataWarnings { get; init; } = Array.Empty<string>();

    /// <summary>Rows of one training epoch.</summary>
    public long TrainRows => Train.RowCount;

    /// <summary>
    /// Rows already in memory, as they are (no class weights, no label scaling): minibatches of at most
    /// <paramref name="batchRows"/> rows, shuffled by <see cref="MlpOptions.Shuffle"/> with <paramref name="seed"/>. The
    /// options left null take the automatic values of <paramref name="layout"/>'s kind of first layer. With
    /// <paramref name="ownsData"/> (rows read for this run alone), disposing hands the training rows' storage on to the
    /// next run's (<see cref="DenseDataset.Release"/>).
    /// </summary>
    public static PreparedTraining InMemory(NetworkLayout layout, TrainingData data, MlpOptions options, int seed, int batchRows,
        FeatureDensity density = default, float outputScale = 1f, float outputOffset = 0f, bool ownsData = false)
    {
        options = AutomaticDefaults.For(layout.InputMajorFirstLayer).Apply(options, out _);
        var source = new InMemoryMinibatchSource(data.Train, data.TrainRows, options.Shuffle, seed, Math.Max(1, Math.Min(batchRows, data.TrainRows.Length)), ownsData);
        return new PreparedTraining(layout, source, data.HasValidation ? data.Validation : null, data.HasValidation ? data.ValidationRows : null, seed,
            outputScale, outputOffset, Streamed: false, density, parameters => RunFingerprint.Compute(data, options, seed, parameters), options);
    }

    public void Dispose() => (Train as IDisposable)?.Dispose();
}
