using MlpTrainer.Layers;

namespace MlpTrainer.Training;

/// <summary>The reduction of a run in one process: there is nobody to combine with, so nothing changes.</summary>
internal sealed class SingleProcessReduction : IWorkerReduction
{
    public static readonly SingleProcessReduction Instance = new();

    private SingleProcessReduction()
    {
    }

    public void CombineGradient(Span<float> meanGradient, SparseRowGradient? firstLayerRows, ref double lossSum, ref double weightSum)
    {
    }

    public void CombineMinibatchGradient(Span<float> gradient, SparseRowGradient? firstLayerRows, ref double lossSum)
    {
    }

    public void CombineMetrics(Span<double> sums)
    {
    }
}
