namespace MlpTrainer.Samples.Samples;

/// <summary>How one hidden layer layout did across the folds of a cross-validation.</summary>
public sealed record CandidateResult(string Layout, Statistic Accuracy, Statistic LogLoss, TimeSpan Time);
