using MlpTrainer.Model;
using MlpTrainer.Training;

namespace MlpTrainer.Tests.Training;

/// <summary>
/// The JIT warm-up takes one real training step of a miniature network of every kind a Fit can train (its failures
/// are swallowed on its background thread, so here it runs on the test's thread, where they would show).
/// </summary>
public sealed class JitWarmUpTests
{
    public static TheoryData<bool, MlpActivation, MlpOptimizer, int> Kinds()
    {
        var kinds = new TheoryData<bool, MlpActivation, MlpOptimizer, int>();
        foreach (bool sparse in new[] { false, true })
            foreach (MlpActivation activation in Enum.GetValues<MlpActivation>())
                foreach (MlpOptimizer optimizer in Enum.GetValues<MlpOptimizer>())
                    foreach (MlpTask task in Enum.GetValues<MlpTask>())
                        kinds.Add(sparse, activation, optimizer, (int)task);
        return kinds;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AStepOfAMiniatureNetworkRunsForEveryKindOfNetwork(bool sparse, MlpActivation activation, MlpOptimizer optimizer, int taskNumber)
    {
        var task = (MlpTask)taskNumber;
        var layout = new NetworkLayout(new[] { 1 << 20, 300, 40, task == MlpTask.Multiclass ? 7 : 1 }, inputMajorFirstLayer: sparse);
        var options = new MlpOptions { Activation = activation, Optimizer = optimizer, DropoutRate = 0.1f, BatchSize = 500 };

        JitWarmUp.Run(layout, options, task, threads: 2);
    }

    [Fact]
    public void TheMiniatureNetworkStaysSmallWhateverTheRealOne()
    {
        var layout = new NetworkLayout(new[] { 1 << 16, 8192, 8192, 10 });

        long before = GC.GetAllocatedBytesForCurrentThread();
        JitWarmUp.Run(layout, new MlpOptions(), MlpTask.Multiclass, threads: 1);

        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 8L << 20); // the real network's weights alone are 2.3 GiB
    }
}
