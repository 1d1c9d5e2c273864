using MlpTrainer.Data;
using MlpTrainer.Layers;
using MlpTrainer.Tests.Learning;
using MlpTrainer.Model;
using MlpTrainer.Training;

namespace MlpTrainer.Tests.Training;

/// <summary>
/// The training core runs without ML.NET: a <see cref="TrainingRun"/> on rows in memory, with a host of plain
/// delegates. Every step's gradient and every epoch's validation sums pass the host's <see cref="IWorkerReduction"/>,
/// the seam where a data-parallel run combines its workers.
/// </summary>
public sealed class TrainingRunTests
{
    private static readonly NetworkLayout Layout = new(new[] { 3, 8, 3 });

    private static DenseDataset Blobs()
    {
        Datasets.Set set = Datasets.Blobs(120, seed: 8);
        var data = new DenseDataset(3, 3);
        for (int i = 0; i < set.Count; i++)
            data.Add(set.Features[i], set.Labels[i]);
        return data;
    }

    private static MlpOptions Options(MlpOptimizer optimizer = MlpOptimizer.Sgd) => new()
    {
        HiddenLayerSizes = new[] { 8 }, Optimizer = optimizer, LearningRate = 0.1f, BatchSize = 16, NumberOfEpochs = 3,
        L2Regularization = 0f, EarlyStoppingPatience = 0, NumberOfThreads = 1,
    };

    private static TrainingOutcome Train(MlpOptions options, TrainingHost host, bool validation = false)
    {
        DenseDataset data = Blobs();
        TrainingData rows = validation ? TrainingData.SplitStratified(data, 0.25f, seed: 1) : new TrainingData(data, TrainingData.AllRows(data), null, null);
        using PreparedTraining prepared = PreparedTraining.InMemory(Layout, rows, options, seed: 1, options.BatchSize);
        return new TrainingRun(MlpTask.Multiclass, options, host).Run(prepared);
    }

    [Fact]
    public void EveryMinibatchGradientPassesTheReductionBeforeTheStep()
    {
        var reduction = new RecordingReduction { ZeroGradients = true };
        MlpOptions options = Options();
        DenseDataset data = Blobs();
        using PreparedTraining prepared = PreparedTraining.InMemory(Layout, new TrainingData(data, TrainingData.AllRows(data), null, null), options, seed: 1, options.BatchSize);
        float[] start = WeightInitializer.Initialize(Layout, options.Activation, SeedSequence.Create(1, SeedSequence.Stream.Initialization), 0, 1);

        TrainingOutcome outcome = new TrainingRun(MlpTask.Multiclass, options, new TrainingHost { Reduction = reduction }).Run(prepared);

        Assert.Equal(3 * ((120 + 15) / 16), reduction.GradientCalls); // every step of 3 epochs of 8 minibatches
        Assert.Equal(start, outcome.Network.Parameters.ToArray());    // SGD on the zeroed gradients moved nothing
    }

    [Fact]
    public void TheCombinedLossAndWeightAreWhatTheEpochReports()
    {
        TrainingOutcome plain = Train(Options(), new TrainingHost());
        TrainingOutcome doubled = Train(Options(), new TrainingHost { Reduction = new RecordingReduction { LossFactor = 2 } });

        for (int e = 0; e < plain.History.Count; e++)
            Assert.Equal(2 * plain.History[e].TrainingLoss, doubled.History[e].TrainingLoss, 12);
    }

    [Fact]
    public void ValidationSumsPassTheReductionOncePerEpoch()
    {
        var reduction = new RecordingReduction { LossFactor = 1 };
        MlpOptions options = Options();

        TrainingOutcome outcome = Train(options, new TrainingHost { Reduction = reduction }, validation: true);

        Assert.Equal(options.NumberOfEpochs, reduction.MetricCalls);
        Assert.All(reduction.MetricSums, sums => Assert.Equal(4, sums.Length));
        Assert.Equal(30, reduction.MetricSums[0][3]); // the 30 held-out rows
        Assert.Equal(outcome.History[0].ValidationLoss!.Value, reduction.MetricSums[0][0] / reduction.MetricSums[0][1], 12);
    }

    [Fact]
    public void TheFullBatchObjectivePassesTheReductionAtEveryEvaluation()
    {
        var reduction = new RecordingReduction();
        var minimizer = new FixedStepDescent(0.5f);
        MlpOptions options = Options(MlpOptimizer.Lbfgs);

        TrainingOutcome outcome = Train(options, new TrainingHost { Reduction = reduction, FullBatchMinimizer = minimizer });

        Assert.Equal(minimizer.Evaluations, reduction.GradientCalls);
        Assert.Equal(options.NumberOfEpochs, outcome.History.Count); // each accepted iterate is one epoch
        Assert.True(outcome.History[^1].TrainingLoss < outcome.History[0].TrainingLoss);
    }

    [Fact]
    public void LbfgsWithoutAFullBatchMinimizerFromTheHostIsRefusedNamingIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Train(Options(MlpOptimizer.Lbfgs), new TrainingHost()));

        Assert.Contains("full-batch minimizer", error.Message);
    }

    [Fact]
    public void TheHostHearsEveryEpochAndDecision()
    {
        var lines = new List<string>();

        Train(Options(), new TrainingHost { Info = lines.Add });

        Assert.Contains(lines, l => l.StartsWith("Training a 3-8-3 Multiclass MLP", StringComparison.Ordinal));
        Assert.Equal(3, lines.Count(l => l.StartsWith("Epoch ", StringComparison.Ordinal)));
    }

    /// <summary>Counts and records what passes the seam; can zero the gradient or scale the loss.</summary>
    private sealed class RecordingReduction : IWorkerReduction
    {
        public bool ZeroGradients { get; init; }

        public double LossFactor { get; init; } = 1;

        public int GradientCalls { get; private set; }

        public int MetricCalls { get; private set; }

        public List<double[]> MetricSums { get; } = new();

        public void CombineGradient(Span<float> meanGradient, SparseRowGradient? firstLayerRows, ref double lossSum, ref double weightSum)
        {
            GradientCalls++;
            if (ZeroGradients)
                meanGradient.Clear();
            lossSum *= LossFactor;
        }

        public void CombineMinibatchGradient(Span<float> gradient, SparseRowGradient? firstLayerRows, ref double lossSum)
        {
            double weightSum = 0;
            CombineGradient(gradient, firstLayerRows, ref lossSum, ref weightSum);
        }

        public void CombineMetrics(Span<double> sums)
        {
            MetricCalls++;
            MetricSums.Add(sums.ToArray());
        }
    }

    /// <summary>A minimizer that takes fixed gradient steps, so the L-BFGS solver can run without ML.NET.</summary>
    private sealed class FixedStepDescent(float step) : IFullBatchMinimizer
    {
        public int Evaluations { get; private set; }

        public bool Minimize(ReadOnlySpan<float> start, int historySize, FullBatchFunction objective, Func<ReadOnlyMemory<float>, ReadOnlyMemory<float>, bool> onIteration)
        {
            float[] x = start.ToArray(), gradient = new float[x.Length];
            while (true)
            {
                objective(x, gradient);
                Evaluations++;
                for (int i = 0; i < x.Length; i++)
                    x[i] -= step * gradient[i];
                objective(x, gradient);
                Evaluations++;
                if (onIteration(x, gradient))
                    return false;
            }
        }
    }
}
