using MlpTrainer.Tests.Support;
using MlpTrainer.Losses;
using MlpTrainer.Model;
using MlpTrainer.Training;

namespace MlpTrainer.Tests.Gradients;

/// <summary>
/// BackpropTrainer's analytic gradient (float) against central differences of an independent double-precision
/// forward pass (<see cref="ReferenceNetwork"/>). The reference is all double, so its numerical gradient is
/// accurate to about 1e-9; the tolerances below only have to absorb the float rounding of the trainer.
/// </summary>
public class BackpropGradientCheckTests
{
    private const double NormRelativeTolerance = 1e-3;
    private const double ParameterRelativeTolerance = 1e-3;
    private const double ParameterMagnitudeFloor = 1e-3; // below this, 1e-3 relative becomes 1e-6 absolute
    private const double LossRelativeTolerance = 1e-5;
    private const double KinkMargin = 1e-3;               // ≫ the 1e-6 difference step and float rounding of z
    private const float LeakySlope = 0.1f;

    public static TheoryData<MlpActivation> AllActivations => new()
    {
        MlpActivation.Identity, MlpActivation.Sigmoid, MlpActivation.Tanh, MlpActivation.ReLU, MlpActivation.LeakyReLU,
    };

    [Theory]
    [MemberData(nameof(AllActivations))]
    public void OneHiddenLayerGradientMatchesCentralDifferences(MlpActivation activation)
        => CheckGradient(Problem.Create(new[] { 4, 6, 3 }, activation, rows: 5, seed: 11));

    [Theory]
    [MemberData(nameof(AllActivations))]
    public void TwoHiddenLayerGradientMatchesCentralDifferences(MlpActivation activation)
        => CheckGradient(Problem.Create(new[] { 5, 7, 6, 4 }, activation, rows: 6, seed: 23));

    [Fact]
    public void NetworkWithoutHiddenLayerGradientMatchesCentralDifferences()
        => CheckGradient(Problem.Create(new[] { 4, 3 }, MlpActivation.ReLU, rows: 5, seed: 5));

    [Fact]
    public void PartialMinibatchGradientIsTheMeanOverItsRowsOnly()
    {
        // Capacity 8 but only 3 rows used: rows 3..7 hold garbage that must not leak into the gradient.
        var problem = Problem.Create(new[] { 3, 5, 4 }, MlpActivation.Tanh, rows: 3, seed: 7, capacity: 8);
        CheckGradient(problem, garbageAfterRows: true);
    }

    [Fact]
    public void ReturnedLossIsTheSummedCrossEntropyOfTheRows()
    {
        var problem = Problem.Create(new[] { 4, 6, 3 }, MlpActivation.Tanh, rows: 5, seed: 3);
        using var trainer = problem.CreateTrainer();
        double summed = trainer.ComputeGradients(problem.Parameters, problem.Rows);

        double reference = 0;
        for (int r = 0; r < problem.Rows; r++)
        {
            reference += ReferenceNetwork.MeanLoss(problem.Layout.Sizes, problem.ParametersAsDouble(),
                problem.Inputs.AsSpan(r * 4, 4).ToArray().Select(v => (double)v).ToArray(), new[] { problem.Labels[r] }, 1,
                MlpActivation.Tanh, LeakySlope);
        }
        Assert.Equal(reference, summed, reference * LossRelativeTolerance);
    }

    [Fact]
    public void ComputeGradientsOverwritesRatherThanAccumulates()
    {
        var problem = Problem.Create(new[] { 4, 6, 3 }, MlpActivation.Sigmoid, rows: 5, seed: 9);
        using var trainer = problem.CreateTrainer();
        trainer.ComputeGradients(problem.Parameters, problem.Rows);
        float[] first = trainer.Gradients.ToArray();
        trainer.ComputeGradients(problem.Parameters, problem.Rows);
        Assert.Equal(first, trainer.Gradients);
    }

    [Fact]
    public void AGradientMeanOverAGivenWeightIsTheRowsShareOfThatMean()
    {
        // A worker's rows are a share of a larger minibatch: its gradient is Σ wᵢ·∇ℓᵢ over its rows divided by the
        // whole minibatch's weight, here 4 times its own (5 rows of weight 1), so a quarter of its own mean gradient.
        var problem = Problem.Create(new[] { 4, 6, 3 }, MlpActivation.Tanh, rows: 5, seed: 13);
        using var trainer = problem.CreateTrainer();
        double ownLoss = trainer.ComputeGradients(problem.Parameters, problem.Rows);
        float[] own = trainer.Gradients.ToArray();

        double shareLoss = trainer.ComputeGradients(problem.Parameters, problem.Rows, meanOver: 20);

        Assert.Equal(ownLoss, shareLoss); // the loss is a sum over the rows either way
        for (int i = 0; i < own.Length; i++)
            Assert.Equal(own[i] / 4, trainer.Gradients[i], Math.Abs(own[i]) * 1e-6 + 1e-9);
    }

    [Fact]
    public void SoftmaxCrossEntropyGradientMatchesCentralDifferencesOfTheLogits()
    {
        const int rows = 3, classes = 5;
        var random = new Random(17);
        float[] logits = Enumerable.Range(0, rows * classes).Select(_ => (float)(10 * random.NextDouble() - 5)).ToArray();
        int[] labels = { 4, 0, 2 };
        double[] logitsDouble = logits.Select(v => (double)v).ToArray();

        double MeanLoss(double[] z)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++)
                sum += ReferenceNetwork.CrossEntropy(z.AsSpan(r * classes, classes), labels[r]);
            return sum / rows;
        }

        float[] gradient = logits.ToArray();
        double summed = new SoftmaxCrossEntropyLoss().LossAndGradient(gradient, labels.Select(l => (float)l).ToArray(),
            Enumerable.Repeat(1f, rows).ToArray(), rows, classes, weightSum: rows);
        double[] numeric = FiniteDifferences.Gradient(logitsDouble, MeanLoss);

        Assert.Equal(MeanLoss(logitsDouble), summed / rows, LossRelativeTolerance);
        AssertGradientsClose(gradient, numeric, i => $"logit {i}");
    }

    private static void CheckGradient(Problem problem, bool garbageAfterRows = false)
    {
        using BackpropTrainer trainer = problem.CreateTrainer();
        if (garbageAfterRows)
        {
            trainer.InputBatch.AsSpan(problem.Rows * problem.Layout.InputSize).Fill(1e6f);
            trainer.TargetBatch.AsSpan(problem.Rows).Fill(problem.Layout.OutputSize - 1);
        }
        double summedLoss = trainer.ComputeGradients(problem.Parameters, problem.Rows);
        float[] analytic = trainer.Gradients.ToArray();

        double[] parameters = problem.ParametersAsDouble();
        double[] inputs = problem.Inputs.Select(v => (double)v).ToArray();
        var preActivations = new List<double>();
        double referenceLoss = ReferenceNetwork.MeanLoss(problem.Layout.Sizes, parameters, inputs, problem.Labels, problem.Rows,
            problem.Activation, LeakySlope, preActivations);

        if (problem.Activation is MlpActivation.ReLU or MlpActivation.LeakyReLU && preActivations.Count > 0)
        {
            double nearest = preActivations.Min(Math.Abs);
            Assert.True(nearest > KinkMargin,
                $"Test setup: a hidden pre-activation is {nearest:G3} from the kink at 0; choose another seed.");
        }

        Assert.True(Math.Abs(summedLoss / problem.Rows - referenceLoss) <= LossRelativeTolerance * Math.Max(1, referenceLoss),
            $"float forward loss {summedLoss / problem.Rows:R} vs double reference {referenceLoss:R}");

        double[] numeric = FiniteDifferences.Gradient(parameters, p => ReferenceNetwork.MeanLoss(
            problem.Layout.Sizes, p, inputs, problem.Labels, problem.Rows, problem.Activation, LeakySlope));

        // The comparison is only meaningful if backpropagation reaches the first layer with a real signal.
        double firstLayerNorm = Norm(numeric.AsSpan(0, problem.Layout.WeightCount(0)));
        Assert.True(firstLayerNorm > 1e-4, $"Test setup: the first layer's gradient norm is only {firstLayerNorm:G3}.");

        AssertGradientsClose(analytic, numeric, problem.Describe);
    }

    private static void AssertGradientsClose(float[] analytic, double[] numeric, Func<int, string> describe)
    {
        Assert.Equal(numeric.Length, analytic.Length);
        var difference = new double[numeric.Length];
        for (int k = 0; k < numeric.Length; k++)
            difference[k] = analytic[k] - numeric[k];
        double relative = Norm(difference) / Math.Max(Norm(analytic.Select(v => (double)v).ToArray()), Norm(numeric));
        Assert.True(relative < NormRelativeTolerance, $"‖analytic − numeric‖ / ‖numeric‖ = {relative:G3}");

        for (int k = 0; k < numeric.Length; k++)
        {
            double scale = Math.Max(ParameterMagnitudeFloor, Math.Max(Math.Abs(analytic[k]), Math.Abs(numeric[k])));
            double error = Math.Abs(difference[k]) / scale;
            Assert.True(error < ParameterRelativeTolerance,
                $"{describe(k)}: analytic {analytic[k]:G9}, numeric {numeric[k]:G9}, relative error {error:G3}");
        }
    }

    private static double Norm(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (double v in values)
            sum += v * v;
        return Math.Sqrt(sum);
    }

    private sealed record Problem(NetworkLayout Layout, MlpActivation Activation, float[] Parameters, float[] Inputs, int[] Labels,
        int Rows, int Capacity)
    {
        public static Problem Create(int[] sizes, MlpActivation activation, int rows, int seed, int? capacity = null)
        {
            var layout = new NetworkLayout(sizes);
            var random = new Random(seed);
            float[] parameters = WeightInitializer.Initialize(layout, activation, random);
            for (int l = 0; l < layout.LayerCount; l++)
            {
                // Non-zero biases, so the check also covers how the forward pass uses them.
                for (int o = 0; o < layout.OutputsOf(l); o++)
                    parameters[layout.BiasOffset(l) + o] = (float)(random.NextDouble() - 0.5);
            }
            float[] inputs = Enumerable.Range(0, rows * sizes[0]).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
            int[] labels = Enumerable.Range(0, rows).Select(_ => random.Next(sizes[^1])).ToArray();
            return new Problem(layout, activation, parameters, inputs, labels, rows, capacity ?? rows);
        }

        public BackpropTrainer CreateTrainer()
        {
            var trainer = new BackpropTrainer(Layout, Activation, LeakySlope, Capacity, threads: 1);
            Inputs.CopyTo(trainer.InputBatch, 0);
            Labels.CopyTo(trainer.TargetBatch, 0);
            return trainer;
        }

        public double[] ParametersAsDouble() => Parameters.Select(v => (double)v).ToArray();

        public string Describe(int k)
        {
            for (int l = 0; l < Layout.LayerCount; l++)
            {
                int w = Layout.WeightOffset(l), b = Layout.BiasOffset(l), inputs = Layout.InputsOf(l);
                if (k >= w && k < b)
                    return $"layer {l} weight [{(k - w) / inputs}, {(k - w) % inputs}] (parameter {k})";
                if (k >= b && k < b + Layout.OutputsOf(l))
                    return $"layer {l} bias [{k - b}] (parameter {k})";
            }
            return $"parameter {k}";
        }
    }
}
