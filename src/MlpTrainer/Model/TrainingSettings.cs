namespace MlpTrainer.Model;

/// <summary>
/// The options a saved model keeps so that training can be continued or inspected: how it was optimised and
/// for how long. Column names and data-dependent options are not kept: they belong to the pipeline.
/// </summary>
internal sealed record TrainingSettings(
    MlpOptimizer Optimizer,
    float LearningRate,
    float Momentum,
    bool UseNesterov,
    float Beta1,
    float Beta2,
    float Epsilon,
    float L2Regularization,
    int BatchSize,
    int EpochsTrained,
    MlpRegressionLoss RegressionLoss = MlpRegressionLoss.SquaredError,
    float HuberDelta = 1f)
{
    public static TrainingSettings From(MlpOptions options, int epochsTrained) => new(
        options.Optimizer, options.RunLearningRate, options.Momentum, options.UseNesterov, options.Beta1, options.Beta2,
        options.Epsilon, options.L2Regularization, options.BatchSize, epochsTrained, options.RegressionLoss, options.HuberDelta);
}
