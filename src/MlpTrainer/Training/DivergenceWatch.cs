
namespace MlpTrainer.Training;

/// <summary>
/// Notices training that is going wrong while every number is still finite: a training loss that has grown far above the
/// first epoch's, or weights that have blown up (a learning rate too high for unnormalized features sends them to
/// hundreds of thousands while the loss stays finite). Each kind is reported once per run, as a warning for the epoch's
/// history and the log. The weights it is given exclude a sparse first layer's (hundreds of millions of them, for hashed
/// features): those are checked once, after the last epoch, in the same pass as the check that every weight is finite.
/// </summary>
internal sealed class DivergenceWatch
{
    /// <summary>A training loss this many times the first epoch's counts as diverging.</summary>
    public const double LossGrowthFactor = 100;

    /// <summary>A weight or bias of larger magnitude counts as blown up: trained networks on normalized data stay far below.</summary>
    public const float WeightLimit = 1e4f;

    private double _firstLoss = double.NaN;
    private bool _lossReported, _weightsReported;

    /// <summary>A warning for this epoch, or null.</summary>
    public string? Check(int epoch, double trainingLoss, ReadOnlySpan<float> parameters, float learningRate)
    {
        string advice = $" Lower MlpOptions.LearningRate (now {learningRate:G4}) or normalize the features (e.g. NormalizeMeanVariance).";
        if (double.IsNaN(_firstLoss))
            _firstLoss = trainingLoss;
        else if (!_lossReported && trainingLoss > LossGrowthFactor * Math.Max(_firstLoss, 1e-3))
        {
            _lossReported = true;
            return $"Training is diverging: the training loss rose from {_firstLoss:G4} in the first epoch to {trainingLoss:G4} in epoch {epoch}." + advice;
        }
        if (!_weightsReported && parameters.Length > 0)
        {
            float largest = Kernels.RowKernel.LargestMagnitude(parameters);
            if (largest > WeightLimit)
            {
                _weightsReported = true;
                return $"Training is diverging: a weight has reached {largest:G4} in epoch {epoch} (above {WeightLimit:G}); the model is unlikely to be useful." + advice;
            }
        }
        return null;
    }
}
