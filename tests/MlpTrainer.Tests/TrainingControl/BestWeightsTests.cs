using MlpTrainer.Layers;
using MlpTrainer.Model;
using MlpTrainer.Training;

namespace MlpTrainer.Tests.TrainingControl;

/// <summary>
/// The best epoch's weights as early stopping keeps them: whole for a dense network, copy-before-write for a sparse
/// first layer (only the rows a lazy step changes are saved). Either way, what comes back is exactly what was taken.
/// </summary>
public sealed class BestWeightsTests
{
    private const int Slots = 300, Units = 4; // more slots than the saved rows' first buffer (64 rows): it grows
    private static readonly NetworkLayout Sparse = new(new[] { Slots, Units, 3 }, inputMajorFirstLayer: true);
    private static readonly NetworkLayout Dense = new(new[] { Slots, Units, 3 });

    private static float[] Parameters(NetworkLayout layout, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, layout.ParameterCount).Select(_ => (float)random.NextDouble()).ToArray();
    }

    /// <summary>A lazy step as the optimizer takes it: the given slots' first-layer rows, and every later parameter.</summary>
    private static SparseRowGradient Step(BestWeights best, float[] parameters, params int[] slots)
    {
        var rows = new SparseRowGradient(Slots, Units);
        foreach (int slot in slots)
            rows.RowOf(slot);
        best.BeforeStep(parameters, rows);
        foreach (int slot in slots)
            for (int u = 0; u < Units; u++)
                parameters[slot * Units + u] += 1f;
        for (int i = Sparse.WeightCount(0); i < parameters.Length; i++)
            parameters[i] -= 0.5f;
        return rows;
    }

    [Fact]
    public void ASparseFirstLayersBestComesBackExactlyAfterLazySteps()
    {
        var best = new BestWeights(Sparse);
        float[] parameters = Parameters(Sparse, 1);
        Step(best, parameters, 3, 7); // before any best: nothing to keep
        best.Take(parameters);
        float[] taken = parameters.ToArray();

        Step(best, parameters, 7, 9);
        Step(best, parameters, 9, 49, 0);
        Assert.NotEqual(taken, parameters);
        best.CopyTo(parameters);

        Assert.Equal(taken, parameters);
    }

    [Fact]
    public void TakingAgainMakesTheCurrentWeightsTheBest()
    {
        var best = new BestWeights(Sparse);
        float[] parameters = Parameters(Sparse, 2);
        best.Take(parameters);
        Step(best, parameters, 1, 2);
        best.Take(parameters);
        float[] second = parameters.ToArray();
        Step(best, parameters, 2, 5);

        best.CopyTo(parameters);

        Assert.Equal(second, parameters);
    }

    [Fact]
    public void ToArrayGivesTheBestWithoutChangingTheCurrentWeights()
    {
        var best = new BestWeights(Sparse);
        float[] parameters = Parameters(Sparse, 3);
        Assert.Null(best.ToArray(parameters));
        best.Take(parameters);
        float[] taken = parameters.ToArray();
        Step(best, parameters, 4, 8);
        float[] current = parameters.ToArray();

        Assert.Equal(taken, best.ToArray(parameters));
        Assert.Equal(current, parameters);
    }

    [Fact]
    public void AStepOverTheWholeFirstLayerKeepsTheBestWhole()
    {
        var best = new BestWeights(Sparse);
        float[] parameters = Parameters(Sparse, 4);
        best.Take(parameters);
        float[] taken = parameters.ToArray();
        Step(best, parameters, 6);
        best.BeforeStep(parameters, firstLayerRows: null); // a dense step of every row follows
        for (int i = 0; i < parameters.Length; i++)
            parameters[i] *= 2f;

        best.CopyTo(parameters);

        Assert.Equal(taken, parameters);
    }

    [Fact]
    public void ACheckpointsBestIsKeptUntilTheNextTake()
    {
        var best = new BestWeights(Sparse);
        float[] fromCheckpoint = Parameters(Sparse, 5), parameters = Parameters(Sparse, 6);
        best.Resume(fromCheckpoint.ToArray());
        Step(best, parameters, 1, 2, 3);

        Assert.Equal(fromCheckpoint, best.ToArray(parameters));
        best.CopyTo(parameters);
        Assert.Equal(fromCheckpoint, parameters);
    }

    [Fact]
    public void ADenseNetworksBestIsACopyOfEveryWeight()
    {
        var best = new BestWeights(Dense);
        float[] parameters = Parameters(Dense, 7);
        best.Take(parameters);
        float[] taken = parameters.ToArray();
        for (int i = 0; i < parameters.Length; i++)
            parameters[i] = -i;

        best.CopyTo(parameters);

        Assert.Equal(taken, parameters);
        Assert.True(best.HasBest);
        Assert.False(new BestWeights(Dense).HasBest);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void AnySequenceOfStepsTakesRestoresAndCheckpointsMatchAPlainCopy(int seed)
    {
        // The reference keeps the best as a full copy; BestWeights must agree with it after every operation.
        var random = new Random(seed);
        var best = new BestWeights(Sparse);
        float[] parameters = Parameters(Sparse, 10 + seed);
        float[]? reference = null;
        for (int operation = 0; operation < 400; operation++)
        {
            switch (random.Next(10))
            {
                case < 6: // a lazy step over a few slots, repeated slots included
                    Step(best, parameters, Enumerable.Range(0, random.Next(1, 40)).Select(_ => random.Next(Slots)).Distinct().ToArray());
                    break;
                case 6:
                    best.Take(parameters);
                    reference = parameters.ToArray();
                    break;
                case 7 when reference is not null:
                    best.CopyTo(parameters);
                    Assert.Equal(reference, parameters);
                    break;
                case 8: // a step over every first-layer row
                    best.BeforeStep(parameters, firstLayerRows: null);
                    for (int i = 0; i < parameters.Length; i++)
                        parameters[i] += 0.25f;
                    break;
                default: // a checkpoint, then a run resumed from it
                    float[]? saved = best.ToArray(parameters);
                    Assert.Equal(reference, saved);
                    if (random.Next(2) == 0)
                    {
                        best = new BestWeights(Sparse);
                        best.Resume(saved?.ToArray());
                    }
                    break;
            }
            Assert.Equal(reference is not null, best.HasBest);
        }
    }
}
