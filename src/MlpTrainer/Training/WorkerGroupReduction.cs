using System.Numerics.Tensors;
using MlpTrainer.Layers;

namespace MlpTrainer.Training;

/// <summary>
/// The <see cref="IWorkerReduction"/> of a data-parallel run over an <see cref="MlpWorkerGroup"/>: two all-reduces a
/// step. The loss and weight sums go first (two doubles), so each worker can scale its mean gradient by its share of
/// the weight, W_k / Σ W; the scaled gradients are then summed in place, which gives every worker the gradient of the
/// weighted mean loss over every worker's rows, Σ_k W_k·g_k / Σ_k W_k. A worker whose share of a step is empty takes
/// part with a zero gradient and zero weight.
/// </summary>
internal sealed class WorkerGroupReduction : IWorkerReduction
{
    private readonly MlpWorkerGroup _group;
    private readonly double[] _sums = new double[2];

    public WorkerGroupReduction(MlpWorkerGroup group) => _group = group;

    public void CombineGradient(Span<float> meanGradient, SparseRowGradient? firstLayerRows, ref double lossSum, ref double weightSum)
    {
        if (firstLayerRows is not null)
            throw new NotSupportedException("A sparse first layer's gradient rows are not combined across workers; TrainingRun refuses such a run.");
        _sums[0] = lossSum;
        _sums[1] = weightSum;
        _group.AllReduceSum(_sums);
        double share = _sums[1] > 0 ? weightSum / _sums[1] : 0;
        if (share != 1)
            TensorPrimitives.Multiply(meanGradient, (float)share, meanGradient);
        _group.AllReduceSum(meanGradient);
        lossSum = _sums[0];
        weightSum = _sums[1];
    }

    public void CombineMetrics(Span<double> sums) => _group.AllReduceSum(sums);
}
