namespace MlpTrainer.Model;

/// <summary>What the network's output layer predicts; decides the loss, the output transform and the model file's task code.</summary>
internal enum MlpTask
{
    /// <summary>One logit per class, softmax probabilities, cross-entropy.</summary>
    Multiclass = 1,

    /// <summary>One logit, sigmoid probability, binary cross-entropy (log-loss).</summary>
    Binary = 2,

    /// <summary>One linear output, squared error or Huber loss.</summary>
    Regression = 3,
}
