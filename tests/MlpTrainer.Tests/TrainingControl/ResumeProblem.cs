using Microsoft.ML;
using MlpTrainer.Tests.Learning;

namespace MlpTrainer.Tests.TrainingControl;

/// <summary>
/// The fixed training problem of the kill-and-resume test. This file is compiled into the test assembly and, linked,
/// into tests/MlpTrainer.TrainingChild, so the child process and the test train exactly the same data with exactly the
/// same options. It uses only MlpTrainer's public API (the child is not a friend assembly).
/// </summary>
internal static class ResumeProblem
{
    public const int Epochs = 12;

    /// <summary>600 blob points; a fifth of them (stratified, from the seed) are held out for validation.</summary>
    public static IDataView Data(MLContext ml) => Datasets.ToDataView(ml, Datasets.Blobs(600, seed: 111));

    /// <summary>
    /// Options whose state crosses epochs in every way a checkpoint must carry: Adam's moments and step count, the
    /// ReduceOnPlateau schedule's rate, best loss and count, per-epoch shuffles and dropout masks, and the history.
    /// </summary>
    public static MlpOptions Options(int seed, int epochs, string? checkpointDirectory, bool resume) => new()
    {
        HiddenLayerSizes = new[] { 24, 16 },
        Activation = MlpActivation.ReLU,
        Optimizer = MlpOptimizer.Adam,
        LearningRate = 0.01f,
        BatchSize = 32,
        NumberOfEpochs = epochs,
        DropoutRate = 0.2f,
        LearningRateSchedule = MlpLearningRateSchedule.ReduceOnPlateau,
        PlateauPatience = 1,
        PlateauFactor = 0.5f,
        EarlyStoppingTolerance = 0.05, // large: the rate is first cut after epoch 3, so a checkpoint from then on holds a cut rate
        ValidationFraction = 0.2f,
        Seed = seed,
        CheckpointDirectory = checkpointDirectory,
        CheckpointEveryEpochs = 1,
        ResumeFromCheckpoint = resume,
    };
}
