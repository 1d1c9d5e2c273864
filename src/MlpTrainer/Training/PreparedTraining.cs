using MlpTrainer.Data;
using MlpTrainer.Model;

namespace MlpTrainer.Training;

/// <summary>
/// What <see cref="TrainingDataPreparation"/> decided and read: the network's layout (with a sparse first layer or
/// not), the training minibatches (in memory or streamed), the validation rows, the seed, the label scaling and how to
/// fingerprint the run for checkpoints.
/// </summary>
internal sealed record PreparedTraining(NetworkLayout Layout, IMinibatchSource Train, RowDataset? Validation, int[]? ValidationRows, int Seed,
    float OutputScale, float OutputOffset, bool Streamed, FeatureDensity Density, Func<float[], ulong> Fingerprint) : IDisposable
{
    /// <summary>Rows of one training epoch.</summary>
    public long TrainRows => Train.RowCount;

    public void Dispose() => (Train as IDisposable)?.Dispose();
}
