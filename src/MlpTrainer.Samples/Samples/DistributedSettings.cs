namespace MlpTrainer.Samples.Samples;

/// <summary>What the <c>distributed</c> command was asked to do.</summary>
/// <param name="Epochs">Passes over the training images.</param>
/// <param name="TrainRows">How many of the 60,000 training images to use (the first ones).</param>
/// <param name="Seed">Seed of the initialisation and shuffling; every worker must use the same.</param>
/// <param name="Threads">Threads for each worker's matrix products.</param>
/// <param name="CheckpointDirectory">Where worker 0 writes a checkpoint after every epoch, or null.</param>
/// <param name="Resume">Continue from the checkpoint in <paramref name="CheckpointDirectory"/>.</param>
/// <param name="ModelPath">Where worker 0 saves the whole pipeline.</param>
/// <param name="DataDirectory">The folder with Debian's IDX files.</param>
public sealed record DistributedSettings(int Epochs, int TrainRows, int Seed, int Threads, string? CheckpointDirectory, bool Resume, string ModelPath,
    string DataDirectory);
