using MlpTrainer.Model;

namespace MlpTrainer.Training;

/// <summary>What a <see cref="TrainingRun"/> returns: the trained network, its whole history, and why it stopped.</summary>
/// <param name="Network">The trained network, ready to score and save.</param>
/// <param name="History">Every epoch, an initial model's included.</param>
/// <param name="EpochsTrained">The last epoch's number (0 when there was none).</param>
/// <param name="Stop">Why training stopped.</param>
/// <param name="BestEpoch">The epoch early stopping judged best (0 when it was off).</param>
internal sealed record TrainingOutcome(MlpNetwork Network, IReadOnlyList<MlpEpochReport> History, int EpochsTrained, TrainingStop Stop, int BestEpoch);
