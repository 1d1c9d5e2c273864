namespace MlpTrainer.Samples.Samples;

/// <summary>What the <c>cross-validate</c> command was asked to do.</summary>
/// <param name="Candidates">The hidden layer layouts to compare.</param>
/// <param name="Folds">k of k-fold cross-validation.</param>
/// <param name="Epochs">Epochs of each fit.</param>
/// <param name="Seed">Seed of the folds, initialisation and shuffling.</param>
public sealed record CrossValidationSettings(IReadOnlyList<int[]> Candidates, int Folds, int Epochs, int Seed);
