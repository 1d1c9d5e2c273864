using MlpTrainer.Samples.Data;

namespace MlpTrainer.Samples.Samples;

/// <summary>What the <c>csv</c> command was asked to do.</summary>
/// <param name="Path">The CSV file (comma-separated, header row).</param>
/// <param name="Label">The column to predict.</param>
/// <param name="Task">Multiclass, binary or regression.</param>
/// <param name="Epochs">At most this many epochs (early stopping may end sooner).</param>
/// <param name="HiddenLayers">Units per hidden layer.</param>
/// <param name="ModelPath">Where the trained pipeline is saved.</param>
/// <param name="Seed">Seed of the split, initialisation and shuffling.</param>
public sealed record CsvSettings(string Path, string Label, CsvTask Task, int Epochs, int[] HiddenLayers, string ModelPath, int Seed);
