using MlpTrainer.Model;

namespace MlpTrainer.Training;

/// <summary>A trained model to continue (warm start): its network, whose weights are copied, and its history, which carries on.</summary>
internal sealed record InitialModel(MlpNetwork Network, IReadOnlyList<MlpEpochReport> History, int EpochsTrained);
