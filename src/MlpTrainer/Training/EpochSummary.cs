namespace MlpTrainer.Training;

/// <summary>What one epoch of training did: its number (from 1), the mean cross-entropy over its rows, and its duration.</summary>
internal readonly record struct EpochSummary(int Epoch, double MeanLoss, int Rows, TimeSpan Duration);
