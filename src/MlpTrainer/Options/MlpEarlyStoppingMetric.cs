namespace MlpTrainer;

/// <summary>What early stopping watches (see <see cref="MlpOptions.EarlyStoppingPatience"/>).</summary>
public enum MlpEarlyStoppingMetric
{
    /// <summary>The validation loss, or the training loss when there is no validation data. The default.</summary>
    Loss = 0,

    /// <summary>The validation accuracy. Needs validation data (<c>Fit(train, validation)</c> or <see cref="MlpOptions.ValidationFraction"/>).</summary>
    Accuracy = 1,
}
