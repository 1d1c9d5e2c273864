using MlpTrainer.Kernels;
using MlpTrainer.Layers;
using MlpTrainer.Model;
using MlpTrainer.Optimizers;

namespace MlpTrainer.Tests.Sparse;

/// <summary>
/// The lazy update of a sparse first layer: only the rows of the slots present in the minibatch step, with the dense
/// step's arithmetic, so a minibatch in which every slot occurs updates exactly as the dense optimizer does.
/// </summary>
public class LazyOptimizerTests
{
    private const int Steps = 6;

    public static TheoryData<MlpOptimizer, float> Optimizers => new()
    {
        { MlpOptimizer.Adam, 0f }, { MlpOptimizer.Adam, 0.01f }, { MlpOptimizer.AdamW, 0.01f }, { MlpOptimizer.RmsProp, 0.01f },
        { MlpOptimizer.Sgd, 0.01f }, { MlpOptimizer.Sgd, 0f },
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void LazyStepsEqualDenseStepsWhenEverySlotOccurs(MlpOptimizer kind, float l2)
    {
        var layout = new NetworkLayout(new[] { 8, 32, 3 }, inputMajorFirstLayer: true);
        (float[] start, float[][] gradients) = RandomProblem(layout, seed: 5);
        float[] dense = start.ToArray(), lazy = start.ToArray();
        Optimizer denseOptimizer = Optimizer.Create(Options(kind, l2), layout), lazyOptimizer = Optimizer.Create(Options(kind, l2), layout);
        var rows = new SparseRowGradient(8, 32);
        int[] slotOrder = { 3, 0, 7, 5, 1, 6, 2, 4 }; // any order the minibatch met them in

        foreach (float[] gradient in gradients)
        {
            denseOptimizer.Step(dense, gradient, 0.05f);
            FillRows(rows, gradient, slotOrder, width: 32);
            float[] withoutFirstLayer = gradient.ToArray();
            withoutFirstLayer.AsSpan(0, layout.WeightCount(0)).Fill(float.NaN); // the lazy step must not read it
            lazyOptimizer.Step(lazy, withoutFirstLayer, 0.05f, firstLayerRows: rows);
        }

        Assert.Equal(dense, lazy);
        for (int i = 0; i < denseOptimizer.StateArrays.Count; i++)
            Assert.Equal(denseOptimizer.StateArrays[i], lazyOptimizer.StateArrays[i]);
    }

    [Theory]
    [InlineData(MlpOptimizer.Adam, 1)]
    [InlineData(MlpOptimizer.Adam, 7)]
    [InlineData(MlpOptimizer.Adam, 16)]
    [InlineData(MlpOptimizer.Adam, 37)]
    [InlineData(MlpOptimizer.Adam, 64)]
    [InlineData(MlpOptimizer.AdamW, 7)]
    [InlineData(MlpOptimizer.AdamW, 37)]
    public void LazyAdamStepsEqualDenseStepsForAnyLayerWidth(MlpOptimizer kind, int width)
    {
        var layout = new NetworkLayout(new[] { 8, width, 3 }, inputMajorFirstLayer: true);
        (float[] start, float[][] gradients) = RandomProblem(layout, seed: 21 + width);
        float[] dense = start.ToArray(), lazy = start.ToArray();
        Optimizer denseOptimizer = Optimizer.Create(Options(kind, 0.01f), layout), lazyOptimizer = Optimizer.Create(Options(kind, 0.01f), layout);
        var rows = new SparseRowGradient(8, width);
        int[] slotOrder = { 6, 2, 0, 7, 4, 1, 5, 3 };

        foreach (float[] gradient in gradients)
        {
            denseOptimizer.Step(dense, gradient, 0.05f);
            FillRows(rows, gradient, slotOrder, width);
            lazyOptimizer.Step(lazy, gradient, 0.05f, firstLayerRows: rows);
        }

        Assert.Equal(dense.Select(BitConverter.SingleToInt32Bits), lazy.Select(BitConverter.SingleToInt32Bits));
        for (int i = 0; i < denseOptimizer.StateArrays.Count; i++)
            Assert.Equal(denseOptimizer.StateArrays[i].Select(BitConverter.SingleToInt32Bits), lazyOptimizer.StateArrays[i].Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void SlotsAbsentFromTheMinibatchKeepTheirWeightsAndState(MlpOptimizer kind, float l2)
    {
        var layout = new NetworkLayout(new[] { 8, 32, 3 }, inputMajorFirstLayer: true);
        (float[] start, float[][] gradients) = RandomProblem(layout, seed: 9);
        float[] parameters = start.ToArray();
        Optimizer optimizer = Optimizer.Create(Options(kind, l2), layout);
        var rows = new SparseRowGradient(8, 32);
        int[] present = { 1, 4, 6 };

        foreach (float[] gradient in gradients)
        {
            FillRows(rows, gradient, present, width: 32);
            optimizer.Step(parameters, gradient, 0.05f, firstLayerRows: rows);
        }

        for (int slot = 0; slot < 8; slot++)
        {
            Span<float> now = parameters.AsSpan(slot * 32, 32), before = start.AsSpan(slot * 32, 32);
            if (present.Contains(slot))
                Assert.False(now.SequenceEqual(before), $"slot {slot} was present and should have moved");
            else
                Assert.True(now.SequenceEqual(before), $"slot {slot} was absent and should not have moved");
            foreach (float[] state in optimizer.StateArrays)
                Assert.Equal(present.Contains(slot), state.AsSpan(slot * 32, 32).ToArray().Any(v => v != 0));
        }
        Assert.False(parameters.AsSpan(layout.WeightOffset(1)).SequenceEqual(start.AsSpan(layout.WeightOffset(1))), "the dense layers step as usual");
    }

    [Fact]
    public void LazyStepsAreBitIdenticalOnOneAndTwoThreads()
    {
        var layout = new NetworkLayout(new[] { 3000, 32, 3 }, inputMajorFirstLayer: true);
        (float[] start, float[][] gradients) = RandomProblem(layout, seed: 13);
        int[] present = Enumerable.Range(0, 3000).Where(j => j % 3 != 0).ToArray();
        float[] one = start.ToArray(), two = start.ToArray();
        Optimizer first = Optimizer.Create(Options(MlpOptimizer.Adam, 1e-3f), layout), second = Optimizer.Create(Options(MlpOptimizer.Adam, 1e-3f), layout);
        using var engine = new GemmEngine(2);
        var rows = new SparseRowGradient(3000, 32);
        foreach (float[] gradient in gradients)
        {
            FillRows(rows, gradient, present, width: 32);
            first.Step(one, gradient, 0.01f, engine: null, firstLayerRows: rows);
            second.Step(two, gradient, 0.01f, engine, firstLayerRows: rows);
        }
        Assert.Equal(one, two);
    }

    [Theory]
    [InlineData(MlpOptimizer.Adam)]
    [InlineData(MlpOptimizer.RmsProp)]
    [InlineData(MlpOptimizer.Sgd)]
    public void LazyStepsAfterRestoringTheStateContinueFromTheRestoredMoments(MlpOptimizer kind)
    {
        var layout = new NetworkLayout(new[] { 8, 32, 3 }, inputMajorFirstLayer: true);
        (float[] start, float[][] gradients) = RandomProblem(layout, seed: 17);
        float[] parameters = start.ToArray();
        Optimizer original = Optimizer.Create(Options(kind, 0.01f), layout);
        var rows = new SparseRowGradient(8, 32);
        int[] slots = { 2, 5, 7, 0 };
        for (int s = 0; s < 3; s++)
        {
            FillRows(rows, gradients[s], slots, width: 32);
            original.Step(parameters, gradients[s], 0.05f, firstLayerRows: rows);
        }
        Optimizer resumed = Optimizer.Create(Options(kind, 0.01f), layout);
        resumed.RestoreState(original.StepCount, original.StateArrays.Select(a => a.ToArray()).ToArray());
        float[] resumedParameters = parameters.ToArray();

        for (int s = 3; s < Steps; s++)
        {
            FillRows(rows, gradients[s], slots, width: 32);
            original.Step(parameters, gradients[s], 0.05f, firstLayerRows: rows);
            resumed.Step(resumedParameters, gradients[s], 0.05f, firstLayerRows: rows);
        }

        Assert.Equal(parameters, resumedParameters);
        for (int i = 0; i < original.StateArrays.Count; i++)
            Assert.Equal(original.StateArrays[i], resumed.StateArrays[i]);
    }

    [Theory]
    [InlineData(MlpOptimizer.Adam)]
    [InlineData(MlpOptimizer.RmsProp)]
    public void ALazyStepAfterAWholeLayerStepKeepsThatStepsState(MlpOptimizer kind)
    {
        var layout = new NetworkLayout(new[] { 8, 32, 3 }, inputMajorFirstLayer: true);
        (float[] start, float[][] gradients) = RandomProblem(layout, seed: 19);
        float[] dense = start.ToArray(), mixed = start.ToArray();
        Optimizer denseOptimizer = Optimizer.Create(Options(kind, 0.01f), layout), mixedOptimizer = Optimizer.Create(Options(kind, 0.01f), layout);
        var rows = new SparseRowGradient(8, 32);
        int[] everySlot = { 4, 1, 6, 3, 0, 7, 2, 5 };

        denseOptimizer.Step(dense, gradients[0], 0.05f);
        mixedOptimizer.Step(mixed, gradients[0], 0.05f); // the whole first layer: every row's state written
        for (int s = 1; s < Steps; s++)
        {
            denseOptimizer.Step(dense, gradients[s], 0.05f);
            FillRows(rows, gradients[s], everySlot, width: 32);
            mixedOptimizer.Step(mixed, gradients[s], 0.05f, firstLayerRows: rows);
        }

        Assert.Equal(dense, mixed);
        for (int i = 0; i < denseOptimizer.StateArrays.Count; i++)
            Assert.Equal(denseOptimizer.StateArrays[i], mixedOptimizer.StateArrays[i]);
    }

    private static MlpOptions Options(MlpOptimizer kind, float l2) => new() { Optimizer = kind, L2Regularization = l2, Momentum = 0.9f, UseNesterov = true };

    /// <summary>The rows of <paramref name="slots"/> taken from a gradient in the parameter layout.</summary>
    private static void FillRows(SparseRowGradient rows, float[] gradient, int[] slots, int width)
    {
        rows.Clear();
        foreach (int slot in slots)
            gradient.AsSpan(slot * width, width).CopyTo(rows.RowOf(slot));
    }

    private static (float[] Parameters, float[][] Gradients) RandomProblem(NetworkLayout layout, int seed)
    {
        var random = new Random(seed);
        float[] parameters = Enumerable.Range(0, layout.ParameterCount).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
        float[][] gradients = Enumerable.Range(0, Steps).Select(_ => Enumerable.Range(0, layout.ParameterCount)
            .Select(_ => (float)((2 * random.NextDouble() - 1) * Math.Pow(10, -3 * random.NextDouble()))).ToArray()).ToArray();
        return (parameters, gradients);
    }
}
