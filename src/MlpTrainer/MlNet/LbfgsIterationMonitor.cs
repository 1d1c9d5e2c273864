using Microsoft.ML.Numeric;

namespace MlpTrainer;

/// <summary>
/// ML.NET's L-BFGS asks its termination criterion after every iteration whether to stop; this one hands each accepted
/// iterate to the training core (<see cref="Training.LbfgsSolver"/>, through <see cref="MlNetLbfgsMinimizer"/>), which records the iteration and decides.
/// </summary>
internal sealed class LbfgsIterationMonitor : ITerminationCriterion
{
    private readonly Func<ReadOnlyMemory<float>, ReadOnlyMemory<float>, bool> _onIteration;

    /// <param name="onIteration">Receives the accepted parameters and the objective's gradient there; returns true to stop.</param>
    public LbfgsIterationMonitor(Func<ReadOnlyMemory<float>, ReadOnlyMemory<float>, bool> onIteration) => _onIteration = onIteration;

    public string FriendlyName => "MlpTrainer: iteration limit, gradient tolerance, early stopping on validation";

    public bool Terminate(Optimizer.OptimizerState state, out string message)
    {
        message = null!;
        return _onIteration(state.X.GetValues().ToArray(), state.Grad.GetValues().ToArray());
    }

    public void Reset()
    {
    }
}
