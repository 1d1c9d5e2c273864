using MlpTrainer.Losses;
using MlpTrainer.Model;
using MlpTrainer.Optimizers;

namespace MlpTrainer.Training;

/// <summary>
/// Compiles the training step's code on a background thread while <c>Fit</c> reads the rows, so the first epoch does
/// not stop to compile it. The hot kernels carry <c>AggressiveOptimization</c>, so the JIT compiles each once, fully
/// optimised, on its first call; that took about 0.06–0.08 s of the first epoch of the first <c>Fit</c> in a process.
/// The warm-up takes one step (forward, backward, optimizer) of a miniature network of the same kind (same layers,
/// activation, loss, optimizer, sparse or dense first layer) on rows of zeros: its own objects, nothing shared with
/// the real run, so results are unchanged. It runs once per kind of network in a process.
/// </summary>
internal static class JitWarmUp
{
    /// <summary>The miniature network's widths are capped at this; the code compiled does not depend on them.</summary>
    private const int MaxWidth = 256;

    private static readonly HashSet<string> Started = new();

    /// <summary>Starts the warm-up for networks like <paramref name="layout"/> trained with <paramref name="options"/>, unless one already ran.</summary>
    public static void Start(NetworkLayout layout, MlpOptions options, MlpTask task, int threads)
    {
        string kind = $"{layout.LayerCount} {layout.InputMajorFirstLayer} {options.Activation} {options.Optimizer} {options.DropoutRate > 0} {task} {options.RegressionLoss}";
        lock (Started)
        {
            if (!Started.Add(kind))
                return;
        }
        var thread = new Thread(() =>
        {
            try
            {
                Run(layout, options, task, threads);
            }
            catch (Exception)
            {
                // Nothing of the real run depends on the warm-up: if it fails, the first epoch compiles the code itself.
            }
        })
        {
            IsBackground = true,
            Name = "MlpTrainer JIT warm-up",
        };
        thread.Start();
    }

    /// <summary>One training step of the miniature network, on the calling thread.</summary>
    public static void Run(NetworkLayout layout, MlpOptions options, MlpTask task, int threads)
    {
        int[] sizes = layout.Sizes.Select(s => Math.Min(s, MaxWidth)).ToArray();
        sizes[0] = Math.Min(sizes[0], 64);
        var mini = new NetworkLayout(sizes, layout.InputMajorFirstLayer);
        int rows = Math.Clamp(options.BatchSize, 1, MaxWidth);
        OutputLoss loss = OutputLoss.For(task, options.RegressionLoss, options.HuberDelta);
        using var trainer = new BackpropTrainer(mini, options.Activation, options.LeakyReLUSlope, rows, threads, options.DropoutRate, loss);
        var zeros = new float[sizes[0]];
        int[] slot = { 0 };
        float[] one = { 1f };
        for (int r = 0; r < rows; r++)
        {
            slot[0] = r % sizes[0];
            if (mini.InputMajorFirstLayer)
                trainer.Batch.SetFeatures(r, slot, one);
            else
                trainer.Batch.SetFeatures(r, zeros);
        }
        var parameters = new float[mini.ParameterCount];
        parameters.AsSpan().Fill(0.01f);
        trainer.ComputeGradients(parameters, rows, options.DropoutRate > 0 ? new Random(0) : null);
        if (options.Optimizer != MlpOptimizer.Lbfgs)
            Optimizer.Create(options, mini).Step(parameters, trainer.Gradients, options.LearningRate, trainer.Engine, trainer.FirstLayerRows);
    }
}
