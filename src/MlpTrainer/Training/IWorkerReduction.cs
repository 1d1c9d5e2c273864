using MlpTrainer.Layers;

namespace MlpTrainer.Training;

/// <summary>
/// <b>The one seam where workers meet.</b> Every solver hands each step's gradient (with its loss and weight sums) and
/// every epoch's metric sums to this interface before it uses them, and nothing else a worker computes reaches the
/// weights or the decisions of the run. In one process (<see cref="SingleProcessReduction"/>) both calls leave their
/// arguments as they are. A data-parallel run, where each worker holds a share of the rows and an identical copy of the
/// weights, implements them as sums over the workers (an all-reduce), so every worker then takes the same optimizer step
/// and makes the same early-stopping decision, and no solver changes.
/// </summary>
internal interface IWorkerReduction
{
    /// <summary>
    /// Combines one step's gradient across workers. On entry <paramref name="meanGradient"/> is the gradient of this
    /// worker's weighted mean loss over its rows of the step (dense, in the parameter vector's layout, except that a sparse
    /// first layer's weight gradient is in <paramref name="firstLayerRows"/> when that is not null),
    /// <paramref name="lossSum"/> the weighted sum of those rows' losses and <paramref name="weightSum"/> the sum of their
    /// weights. On return all three describe the rows of every worker: the gradient of the weighted mean loss over all of
    /// them (Σ_k W_k·g_k / Σ_k W_k), the total loss and the total weight.
    /// </summary>
    void CombineGradient(Span<float> meanGradient, SparseRowGradient? firstLayerRows, ref double lossSum, ref double weightSum);

    /// <summary>
    /// Combines one minibatch step's gradient across workers, where the time of every collective counts. Every worker
    /// knows the weight W of the whole minibatch (it reads the same minibatches), so on entry
    /// <paramref name="gradient"/> is already this worker's share of the minibatch's weighted mean, Σ_(its rows) wᵢ·∇ℓᵢ / W
    /// (same layout and sparse-row rule as <see cref="CombineGradient"/>), and <paramref name="lossSum"/> the weighted sum
    /// of its rows' losses. On return they are the sums over every worker: the minibatch's mean gradient and loss sum,
    /// with no scaling pass over the gradient on either side of the exchange.
    /// </summary>
    void CombineMinibatchGradient(Span<float> gradient, SparseRowGradient? firstLayerRows, ref double lossSum);

    /// <summary>
    /// Sums an epoch's validation sums across workers, in place: the weighted loss, the weight, the rows classified right
    /// and the rows (see <see cref="EpochEnd"/>). Every value is a plain sum, so a reduction needs no knowledge of what
    /// it carries. (The training loss needs no call of its own: it is the sum of the steps' loss and weight sums, which
    /// <see cref="CombineGradient"/> has already combined.)
    /// </summary>
    void CombineMetrics(Span<double> sums);
}
