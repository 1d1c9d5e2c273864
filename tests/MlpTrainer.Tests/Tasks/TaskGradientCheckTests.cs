using MlpTrainer.Tests.Support;
using MlpTrainer.Losses;
using MlpTrainer.Model;
using MlpTrainer.Training;

namespace MlpTrainer.Tests.Tasks;

/// <summary>
/// BackpropTrainer's gradient with the binary and regression losses, and per-row weights that are not all 1,
/// against central differences of an independent double-precision forward pass and loss (the weighted mean
/// Σ wᵣℓᵣ / Σ wᵣ). The reference is all double (its numerical gradient is accurate to about 1e-9); the tolerances
/// only absorb the float rounding of the trainer.
/// </summary>
public class TaskGradientCheckTests
{
    private const double NormRelativeTolerance = 1e-3;
    private const double ParameterRelativeTolerance = 2e-3;
    private const double ParameterMagnitudeFloor = 1e-3;
    private const double LossRelativeTolerance = 1e-5;
    private const float HuberDelta = 0.5f;
    private static readonly int[] Sizes = { 4, 6, 5, 1 };
    private static readonly float[] RowWeights = { 0.5f, 2f, 1f, 3f, 0.25f, 1.5f };

    /// <summary>Huber residuals z − y: three inside δ = 0.5, three outside, none within 0.2 of the kink at ±δ.</summary>
    private static readonly double[] HuberResiduals = { 0.2, -0.3, 1.2, -0.9, 0.1, 2.0 };

    public enum Kind
    {
        SigmoidCrossEntropy,
        SquaredError,
        Huber,
    }

    public static TheoryData<Kind, MlpActivation> Cases => new()
    {
        { Kind.SigmoidCrossEntropy, MlpActivation.Tanh },
        { Kind.SigmoidCrossEntropy, MlpActivation.Sigmoid },
        { Kind.SquaredError, MlpActivation.Tanh },
        { Kind.SquaredError, MlpActivation.Sigmoid },
        { Kind.Huber, MlpActivation.Tanh },
        { Kind.Huber, MlpActivation.Sigmoid },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void WeightedGradientMatchesCentralDifferencesOfTheWeightedMeanLoss(Kind kind, MlpActivation activation)
    {
        var problem = Problem.Create(kind, activation, seed: 31);
        using BackpropTrainer trainer = problem.CreateTrainer();
        trainer.ComputeGradients(problem.Parameters, problem.Rows);
        float[] analytic = trainer.Gradients.ToArray();

        double[] parameters = problem.ParametersAsDouble();
        double[] numeric = FiniteDifferences.Gradient(parameters, problem.WeightedMeanLoss);

        double firstLayerNorm = Norm(numeric.AsSpan(0, problem.Layout.WeightCount(0)));
        Assert.True(firstLayerNorm > 1e-4, $"Test setup: the first layer's gradient norm is only {firstLayerNorm:G3}.");
        AssertGradientsClose(analytic, numeric);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReturnedLossIsTheWeightedSumOfTheRowLosses(Kind kind, MlpActivation activation)
    {
        var problem = Problem.Create(kind, activation, seed: 47);
        using BackpropTrainer trainer = problem.CreateTrainer();

        double summed = trainer.ComputeGradients(problem.Parameters, problem.Rows);

        double reference = problem.WeightedMeanLoss(problem.ParametersAsDouble()) * RowWeights.Sum(w => (double)w);
        Assert.True(Math.Abs(summed - reference) <= LossRelativeTolerance * Math.Max(1, Math.Abs(reference)),
            $"float Σwℓ {summed:R} vs double reference {reference:R}");
    }

    [Fact]
    public void HuberProblemHasResidualsOnBothSidesOfDelta()
    {
        var problem = Problem.Create(Kind.Huber, MlpActivation.Tanh, seed: 31);

        double[] residuals = problem.Residuals(problem.ParametersAsDouble());

        Assert.Contains(residuals, r => Math.Abs(r) < HuberDelta - 0.05);
        Assert.Contains(residuals, r => Math.Abs(r) > HuberDelta + 0.05);
        Assert.Contains(residuals, r => r > HuberDelta);
        Assert.Contains(residuals, r => r < -HuberDelta);
    }

    [Theory]
    [InlineData(Kind.SigmoidCrossEntropy)]
    [InlineData(Kind.SquaredError)]
    [InlineData(Kind.Huber)]
    public void ZeroWeightRowLeavesTheGradientUnchanged(Kind kind)
    {
        var problem = Problem.Create(kind, MlpActivation.Tanh, seed: 5);
        using BackpropTrainer without = problem.CreateTrainer(rowsToCopy: problem.Rows - 1);
        without.ComputeGradients(problem.Parameters, problem.Rows - 1);

        using BackpropTrainer with = problem.CreateTrainer();
        with.WeightBatch[problem.Rows - 1] = 0f;
        with.TargetBatch[problem.Rows - 1] = kind == Kind.SigmoidCrossEntropy ? 1 - with.TargetBatch[problem.Rows - 1] : 100f;
        with.ComputeGradients(problem.Parameters, problem.Rows);

        float[] expected = without.Gradients, actual = with.Gradients;
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-6 * Math.Max(1e-3, Math.Abs(expected[k])),
                $"parameter {k}: {expected[k]:G9} without the row, {actual[k]:G9} with it at weight 0");
        }
    }

    private static void AssertGradientsClose(float[] analytic, double[] numeric)
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
                $"parameter {k}: analytic {analytic[k]:G9}, numeric {numeric[k]:G9}, relative error {error:G3}");
        }
    }

    private static double Norm(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (double v in values)
            sum += v * v;
        return Math.Sqrt(sum);
    }

    private sealed record Problem(Kind Kind, NetworkLayout Layout, MlpActivation Activation, float[] Parameters, float[] Inputs, float[] Targets)
    {
        public int Rows => Targets.Length;

        public static Problem Create(Kind kind, MlpActivation activation, int seed)
        {
            var layout = new NetworkLayout(Sizes);
            var random = new Random(seed);
            float[] parameters = WeightInitializer.Initialize(layout, activation, random);
            for (int l = 0; l < layout.LayerCount; l++)
            {
                for (int o = 0; o < layout.OutputsOf(l); o++)
                    parameters[layout.BiasOffset(l) + o] = (float)(random.NextDouble() - 0.5);
            }
            int rows = RowWeights.Length;
            float[] inputs = Enumerable.Range(0, rows * Sizes[0]).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
            float[] targets = kind switch
            {
                Kind.SigmoidCrossEntropy => new float[] { 1, 0, 0, 1, 1, 0 },
                Kind.SquaredError => Enumerable.Range(0, rows).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray(),
                _ => new float[rows],
            };
            var problem = new Problem(kind, layout, activation, parameters, inputs, targets);
            if (kind == Kind.Huber)
            {
                // Targets placed at chosen residuals from the network's own outputs, so both sides of δ are exercised.
                double[] z = problem.Outputs(problem.ParametersAsDouble());
                for (int r = 0; r < rows; r++)
                    targets[r] = (float)(z[r] - HuberResiduals[r]);
            }
            return problem;
        }

        public BackpropTrainer CreateTrainer(int? rowsToCopy = null)
        {
            int rows = rowsToCopy ?? Rows;
            OutputLoss loss = Kind switch
            {
                Kind.SigmoidCrossEntropy => new SigmoidCrossEntropyLoss(),
                Kind.SquaredError => new SquaredErrorLoss(),
                _ => new HuberLoss(HuberDelta),
            };
            var trainer = new BackpropTrainer(Layout, Activation, 0.01f, Rows, threads: 1, loss: loss);
            Inputs.AsSpan(0, rows * Sizes[0]).CopyTo(trainer.InputBatch);
            Targets.AsSpan(0, rows).CopyTo(trainer.TargetBatch);
            RowWeights.AsSpan(0, rows).CopyTo(trainer.WeightBatch);
            return trainer;
        }

        public double[] ParametersAsDouble() => Parameters.Select(v => (double)v).ToArray();

        /// <summary>The network's output z for each row, all in double: z = x·Wᵀ + b per layer, f on hidden layers.</summary>
        public double[] Outputs(double[] parameters)
        {
            var outputs = new double[Rows];
            for (int r = 0; r < Rows; r++)
            {
                double[] current = Inputs.AsSpan(r * Sizes[0], Sizes[0]).ToArray().Select(v => (double)v).ToArray();
                int offset = 0;
                for (int l = 0; l + 1 < Sizes.Length; l++)
                {
                    int fanIn = Sizes[l], fanOut = Sizes[l + 1], biases = offset + fanIn * fanOut;
                    var next = new double[fanOut];
                    for (int o = 0; o < fanOut; o++)
                    {
                        double z = parameters[biases + o];
                        for (int i = 0; i < fanIn; i++)
                            z += parameters[offset + o * fanIn + i] * current[i];
                        next[o] = l + 2 < Sizes.Length ? Activate(z) : z;
                    }
                    offset = biases + fanOut;
                    current = next;
                }
                outputs[r] = current[0];
            }
            return outputs;
        }

        public double[] Residuals(double[] parameters) => Outputs(parameters).Select((z, r) => z - Targets[r]).ToArray();

        /// <summary>Σ wᵣℓᵣ / Σ wᵣ with each loss written out from its definition.</summary>
        public double WeightedMeanLoss(double[] parameters)
        {
            double[] z = Outputs(parameters);
            double sum = 0, weights = 0;
            for (int r = 0; r < Rows; r++)
            {
                double y = Targets[r], row;
                switch (Kind)
                {
                    case Kind.SigmoidCrossEntropy:
                        double p = 1 / (1 + Math.Exp(-z[r]));
                        row = -(y * Math.Log(p) + (1 - y) * Math.Log(1 - p));
                        break;
                    case Kind.SquaredError:
                        row = (z[r] - y) * (z[r] - y);
                        break;
                    default:
                        double a = Math.Abs(z[r] - y);
                        row = a <= HuberDelta ? 0.5 * a * a : HuberDelta * (a - 0.5 * HuberDelta);
                        break;
                }
                sum += RowWeights[r] * row;
                weights += RowWeights[r];
            }
            return sum / weights;
        }

        private double Activate(double z) => Activation switch
        {
            MlpActivation.Tanh => Math.Tanh(z),
            MlpActivation.Sigmoid => 1 / (1 + Math.Exp(-z)),
            _ => throw new ArgumentOutOfRangeException(nameof(Activation), Activation, "The reference covers Tanh and Sigmoid."),
        };
    }
}
