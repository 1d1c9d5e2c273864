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
    /// As <see cref="CombineGradient"/>, for one minibatch step, where the time of every collective counts: a reduction
    /// may combine the loss and weight sums in single precision, together with the gradient in one collective (they only
    /// scale the gradient, decide whether to step and are reported, so 1e-7 of their size does not matter there; the
    /// full-batch objective, whose value a line search compares, uses <see cref="CombineGradient"/>).
    /// </summary>
    void CombineMinibatchGradient(Span<float> meanGradient, SparseRowGradient? firstLayerRows, ref double lossSum, ref double weightSum);

    /// <summary>
    /// Sums an epoch's validation sums across workers, in place: the weighted loss, the weight, the rows classified right
    /// and the rows (see <see cref="EpochEnd"/>). Every value is a plain sum, so a reduction needs no knowledge of what
    /// it carries. (The training loss needs no call of its own: it is the sum of the steps' loss and weight sums, which
    /// <see cref="CombineGradient"/> has already combined.)
    /// </summary>
    void CombineMetrics(Span<double> sums);
}
