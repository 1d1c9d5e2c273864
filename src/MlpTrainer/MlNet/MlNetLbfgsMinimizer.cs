using Microsoft.ML.Data;
using Microsoft.ML.Numeric;
using Microsoft.ML.Runtime;
using MlpTrainer.Training;

namespace MlpTrainer;

/// <summary>
/// ML.NET's L-BFGS (<c>Microsoft.ML.Numeric.Optimizer</c>, the one behind its <c>Lbfgs*</c> trainers, internal to ML.NET
/// and reached through the bridge) as the training core's <see cref="IFullBatchMinimizer"/>. Only the translation
/// between ML.NET's vectors and ours is here; <see cref="LbfgsSolver"/> decides what an iteration means to the run.
/// </summary>
internal sealed class MlNetLbfgsMinimizer : IFullBatchMinimizer
{
    private readonly IHostEnvironment _env;

    /// <param name="env">ML.NET's environment, which runs the optimizer.</param>
    public MlNetLbfgsMinimizer(IHostEnvironment env) => _env = env;

    public bool Minimize(ReadOnlySpan<float> start, int historySize, FullBatchFunction objective, Func<ReadOnlyMemory<float>, ReadOnlyMemory<float>, bool> onIteration)
    {
        int length = start.Length;
        DifferentiableFunction function = (in VBuffer<float> input, ref VBuffer<float> gradient, IProgressChannelProvider progress) =>
        {
            var editor = VBufferEditor.Create(ref gradient, length);
            float value = (float)objective(input.GetValues(), editor.Values);
            gradient = editor.Commit();
            return value;
        };
        var initial = new VBuffer<float>(length, start.ToArray());
        var result = default(VBuffer<float>);
        try
        {
            new Optimizer(_env, historySize, keepDense: true).Minimize(function, ref initial, new LbfgsIterationMonitor(onIteration), ref result, out _);
            return false;
        }
        catch (Optimizer.PrematureConvergenceException)
        {
            // The line search can make no more progress: the last accepted iterate is the result.
            return true;
        }
    }
}
