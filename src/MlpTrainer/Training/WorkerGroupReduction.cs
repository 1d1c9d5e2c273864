using System.Numerics.Tensors;
using MlpTrainer.Layers;

namespace MlpTrainer.Training;

/// <summary>
/// The <see cref="IWorkerReduction"/> of a data-parallel run over an <see cref="MlpWorkerGroup"/>. Every worker ends
/// with the gradient of the weighted mean loss over every worker's rows, and the same bits of it. A minibatch step
/// takes one in-place all-reduce of the gradient, whose parts are already scaled by the whole minibatch's weight (which
/// every worker knows), and one of the loss sum, a single value, right after it. The full-batch objective takes two,
/// in double precision: the loss and weight sums first, then the gradient scaled by W_k / Σ W. A worker whose share is
/// empty takes part with a zero gradient. A group of one worker has nothing to combine.
/// </summary>
internal sealed class WorkerGroupReduction : IWorkerReduction
{
    private readonly MlpWorkerGroup _group;
    private readonly double[] _sums = new double[2];
    private readonly double[] _loss = new double[1];

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

    public void CombineMinibatchGradient(Span<float> gradient, SparseRowGradient? firstLayerRows, ref double lossSum)
    {
        if (firstLayerRows is not null)
            throw new NotSupportedException("A sparse first layer's gradient rows are not combined across workers; TrainingRun refuses such a run.");
        if (_group.Size == 1)
            return;
        _group.AllReduceSum(gradient);
        _loss[0] = lossSum;
        _group.AllReduceSum(_loss); // right after the gradient's exchange: every worker is there, so it costs only MPI's latency
        lossSum = _loss[0];
    }

    public void CombineMetrics(Span<double> sums) => _group.AllReduceSum(sums);
}
