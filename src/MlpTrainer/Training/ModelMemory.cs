using MlpTrainer.Model;

namespace MlpTrainer.Training;

/// <summary>
/// The memory a training run needs for the model itself, before any data: the weights (twice when early stopping
/// keeps the best epoch's), the gradient, the optimizer's
/// state (Adam and AdamW keep two values per weight, RMSProp and SGD with momentum one, plain SGD none) and the
/// minibatch buffers. A sparse first layer's gradient covers only a minibatch's slots, but its optimizer state is
/// counted whole, since any slot may be touched.
/// </summary>
internal readonly record struct ModelMemory(long WeightBytes, long GradientBytes, long OptimizerStateBytes, long BufferBytes)
{
    public long TotalBytes => WeightBytes + GradientBytes + OptimizerStateBytes + BufferBytes;

    public static ModelMemory Estimate(NetworkLayout layout, MlpOptions options, int batchSize)
    {
        long parameters = layout.ParameterCount;
        long weights = parameters * sizeof(float);
        long firstLayer = (long)layout.WeightCount(0) * sizeof(float);
        // A sparse first layer's gradient rows: at most one per non-zero of the minibatch; counted as one per row and unit, plus the slot map.
        long gradient = layout.InputMajorFirstLayer
            ? weights - firstLayer + (long)batchSize * layout.OutputsOf(0) * sizeof(float) + (long)layout.InputSize * sizeof(int)
            : weights;
        int stateArrays = options.Optimizer switch
        {
            MlpOptimizer.Adam or MlpOptimizer.AdamW => 2,
            MlpOptimizer.RmsProp => 1,
            MlpOptimizer.Lbfgs => 2 * FullBatchObjective.HistorySize + 5,
            _ => options.Momentum > 0 ? 1 : 0,
        };
        long levels = layout.Sizes.Skip(1).Sum(s => (long)s);
        long buffers = (long)batchSize * levels * sizeof(float) * (options.DropoutRate > 0 ? 4 : 2)
                       + (layout.InputMajorFirstLayer ? 0 : (long)batchSize * layout.InputSize * sizeof(float));
        // Early stopping that restores the best epoch keeps a second copy of the weights; for a sparse first layer that is
        // the bound (BestWeights saves only the rows stepped since the best epoch, all of them at worst).
        long bestWeights = options.EarlyStoppingPatience > 0 && options.RestoreBestWeights ? weights : 0;
        return new ModelMemory(weights + bestWeights, gradient, stateArrays * weights, buffers);
    }

    /// <summary>Bytes as a person reads them: 1.5 GiB, 310 MiB.</summary>
    public static string Format(double bytes) => bytes >= 1 << 30 ? $"{bytes / (1 << 30):F1} GiB" : $"{bytes / (1 << 20):F1} MiB";

    public override string ToString()
        => $"{Format(TotalBytes)} (weights {Format(WeightBytes)}, gradients {Format(GradientBytes)}, optimizer state {Format(OptimizerStateBytes)}, buffers {Format(BufferBytes)})";
}
