using MlpTrainer.Kernels;
using MlpTrainer.Model;
using MlpTrainer.Optimizers;

namespace MlpTrainer.Tests.Optimizers;

/// <summary>The optimizer's update split over the engine's threads gives exactly what one thread gives.</summary>
public class ParallelStepTests
{
    [Theory]
    [InlineData(MlpOptimizer.Adam)]
    [InlineData(MlpOptimizer.AdamW)]
    [InlineData(MlpOptimizer.RmsProp)]
    [InlineData(MlpOptimizer.Sgd)]
    public void StepOnTwoThreadsIsBitIdenticalToOneThread(MlpOptimizer kind)
    {
        // Odd sizes, so segments start at unaligned offsets and parts end inside vectors' reach; over the parallel threshold.
        var layout = new NetworkLayout(new[] { 301, 129, 37, 7 });
        var options = new MlpOptions { Optimizer = kind, L2Regularization = 1e-3f, Momentum = 0.9f };
        var random = new Random(4);
        float[] start = Enumerable.Range(0, layout.ParameterCount).Select(_ => random.NextSingle() - 0.5f).ToArray();
        float[][] gradients = Enumerable.Range(0, 3)
            .Select(_ => Enumerable.Range(0, layout.ParameterCount).Select(_ => random.NextSingle() - 0.5f).ToArray()).ToArray();

        float[] serial = (float[])start.Clone(), parallel = (float[])start.Clone();
        Optimizer one = Optimizer.Create(options, layout), two = Optimizer.Create(options, layout);
        using var engine = new GemmEngine(2);
        foreach (float[] g in gradients)
        {
            one.Step(serial, g, 0.01f);
            two.Step(parallel, g, 0.01f, engine);
        }

        Assert.True(layout.ParameterCount > 1 << 15, "the layout must be large enough for the parallel path");
        Assert.Equal(serial, parallel);
        for (int i = 0; i < one.StateArrays.Count; i++)
            Assert.Equal(one.StateArrays[i], two.StateArrays[i]);
    }
}
