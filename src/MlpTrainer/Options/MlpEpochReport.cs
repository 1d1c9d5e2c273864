using System.Globalization;

namespace MlpTrainer;

/// <summary>
/// What one epoch of training did. Sent to <see cref="MlpOptions.Progress"/> after each epoch and kept, one entry
/// per epoch run, in <see cref="MlpModelParametersBase{TOutput}.TrainingHistory"/>.
/// </summary>
/// <param name="Epoch">The epoch's number, from 1 (counting on from earlier epochs when training resumes).</param>
/// <param name="TrainingLoss">The mean cross-entropy of the training rows during the epoch (without the L2 term).</param>
/// <param name="ValidationLoss">The mean cross-entropy of the validation rows after the epoch; null without validation data.</param>
/// <param name="ValidationAccuracy">The share of validation rows classified correctly after the epoch; null without validation data.</param>
/// <param name="LearningRate">The learning rate at the end of the epoch.</param>
/// <param name="Seconds">The epoch's wall-clock time, validation included.</param>
public sealed record MlpEpochReport(
    int Epoch,
    double TrainingLoss,
    double? ValidationLoss,
    double? ValidationAccuracy,
    float LearningRate,
    double Seconds)
{
    /// <summary>
    /// A warning about the epoch, such as training that is diverging (a loss far above where it started, or weights that
    /// blew up), also logged as a warning; null when all is well. The first epoch of a <c>Fit</c> also carries the
    /// warning about rows of the data that were left out (a NaN or infinite feature, a missing label, a bad weight), with
    /// their count. Kept in the trained model's history; not saved in the model file.
    /// </summary>
    public string? Warning { get; init; }

    /// <summary>
    /// One line for a console or a log, e.g. <c>Epoch 3: training loss 0.412345, validation loss 0.398765, validation
    /// accuracy 0.9123, learning rate 0.001, 0.12 s</c>; the validation figures appear only when there are some, and a
    /// warning, when there is one, at the end.
    /// </summary>
    public override string ToString()
    {
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Epoch {Epoch}: training loss {TrainingLoss:F6}");
        if (ValidationLoss is double loss)
            text.Append(CultureInfo.InvariantCulture, $", validation loss {loss:F6}");
        if (ValidationAccuracy is double accuracy)
            text.Append(CultureInfo.InvariantCulture, $", validation accuracy {accuracy:F4}");
        text.Append(CultureInfo.InvariantCulture, $", learning rate {LearningRate:G4}, {Seconds:F2} s");
        if (Warning is not null)
            text.Append(" (").Append(Warning).Append(')');
        return text.ToString();
    }
}
