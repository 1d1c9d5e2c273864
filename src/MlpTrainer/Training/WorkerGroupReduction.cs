using System.Numerics.Tensors;
using MlpTrainer.Layers;

namespace MlpTrainer.Training;

/// <summary>
/// The <see cref="IWorkerReduction"/> of a data-parallel run over an <see cref="MlpWorkerGroup"/>. Every worker ends
/// with the gradient of the weighted mean loss over every worker's rows, Σ_k W_k·g_k / Σ_k W_k, and the same bits of it.
/// A minibatch step takes one all-reduce: each worker writes W_k·g_k followed by its loss and weight sums into one float
/// buffer, and divides the summed gradient by the summed weight (every worker waits at each collective for the slowest,
/// so one a step rather than two matters on a busy machine). The full-batch objective takes two, in double precision:
/// the loss and weight sums first, then the gradient scaled by W_k / Σ W. A worker whose share is empty takes part with
/// a zero gradient and zero weight. A group of one worker has nothing to combine.
/// </summary>
internal sealed class WorkerGroupReduction : IWorkerReduction
{
    private readonly MlpWorkerGroup _group;
    private readonly double[] _sums = new double[2];
    private float[] _buffer = Array.Empty<float>();

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

    public void CombineMinibatchGradient(Span<float> meanGradient, SparseRowGradient? firstLayerRows, ref double lossSum, ref double weightSum)
    {
        if (firstLayerRows is not null)
            throw new NotSupportedException("A sparse first layer's gradient rows are not combined across workers; TrainingRun refuses such a run.");
        if (_group.Size == 1)
            return;
        int n = meanGradient.Length;
        if (_buffer.Length != n + 2)
            _buffer = new float[n + 2];
        Span<float> buffer = _buffer;
        TensorPrimitives.Multiply(meanGradient, (float)weightSum, buffer[..n]);
        buffer[n] = (float)lossSum;
        buffer[n + 1] = (float)weightSum;
        _group.AllReduceSum(buffer);
        float total = buffer[n + 1];
        if (total > 0)
            TensorPrimitives.Divide(buffer[..n], total, meanGradient);
        else
            meanGradient.Clear();
        lossSum = buffer[n];
        weightSum = total;
    }

    public void CombineMetrics(Span<double> sums) => _group.AllReduceSum(sums);
}
