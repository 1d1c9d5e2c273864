namespace MlpTrainer;

/// <summary>The loss a regression MLP minimises; r is the prediction minus the target.</summary>
public enum MlpRegressionLoss
{
    /// <summary>The squared error r²: the minibatch loss is the mean squared error. The default.</summary>
    SquaredError = 0,

    /// <summary>Huber's loss: ½r² for |r| ≤ δ, δ(|r| − ½δ) beyond (δ = <see cref="MlpOptions.HuberDelta"/>); robust to outliers.</summary>
    Huber = 1,
}
