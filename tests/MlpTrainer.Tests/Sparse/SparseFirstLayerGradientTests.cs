using MlpTrainer.Tests.Support;
using MlpTrainer.Layers;
using MlpTrainer.Model;
using MlpTrainer.Tests.Gradients;
using MlpTrainer.Training;

namespace MlpTrainer.Tests.Sparse;

/// <summary>
/// The sparse, input-major first layer's analytic gradient against central differences of the double-precision
/// reference network (<see cref="ReferenceNetwork"/>, which is unit-major: the sparse layer's row for slot j and unit o
/// is the reference's weight [o, j]). Rows have a few non-zero slots; one slot never occurs.
/// </summary>
public class SparseFirstLayerGradientTests
{
    private const double RelativeTolerance = 1e-3;
    private const double MagnitudeFloor = 1e-3;
    private const float LeakySlope = 0.1f;
    private const int AbsentSlot = 5;

    public static TheoryData<MlpActivation> AllActivations => new()
    {
        MlpActivation.Identity, MlpActivation.Sigmoid, MlpActivation.Tanh, MlpActivation.ReLU, MlpActivation.LeakyReLU,
    };

    [Theory]
    [MemberData(nameof(AllActivations))]
    public void OneHiddenLayerGradientMatchesCentralDifferences(MlpActivation activation)
        => CheckGradient(SparseProblem.Create(new[] { 9, 6, 3 }, activation, rows: 5, seed: 31));

    [Theory]
    [MemberData(nameof(AllActivations))]
    public void TwoHiddenLayerGradientMatchesCentralDifferences(MlpActivation activation)
        => CheckGradient(SparseProblem.Create(new[] { 9, 7, 5, 4 }, activation, rows: 6, seed: 37));

    [Fact]
    public void SlotsAbsentFromTheMinibatchGetNoGradientRow()
    {
        SparseProblem problem = SparseProblem.Create(new[] { 9, 6, 3 }, MlpActivation.Tanh, rows: 5, seed: 31);
        using BackpropTrainer trainer = problem.CreateTrainer();
        trainer.ComputeGradients(problem.Parameters, problem.Rows);

        int[] present = problem.Inputs.SelectMany(r => r.Slots).Distinct().Order().ToArray();
        Assert.Equal(present, trainer.FirstLayerRows!.Slots.ToArray().Order().ToArray());
        Assert.DoesNotContain(AbsentSlot, trainer.FirstLayerRows.Slots.ToArray());
    }

    [Fact]
    public void SparseAndDenseFirstLayersGiveTheSameLossAndGradient()
    {
        SparseProblem problem = SparseProblem.Create(new[] { 9, 6, 3 }, MlpActivation.ReLU, rows: 5, seed: 31);
        using BackpropTrainer sparse = problem.CreateTrainer();
        double sparseLoss = sparse.ComputeGradients(problem.Parameters, problem.Rows);

        var denseLayout = new NetworkLayout(problem.Layout.Sizes);
        using var dense = new BackpropTrainer(denseLayout, problem.Activation, LeakySlope, problem.Rows, threads: 1);
        problem.DenseInputs().CopyTo(dense.InputBatch, 0);
        problem.Labels.Select(l => (float)l).ToArray().CopyTo(dense.TargetBatch, 0);
        double denseLoss = dense.ComputeGradients(problem.UnitMajorParameters().Select(v => (float)v).ToArray(), problem.Rows);

        Assert.Equal(denseLoss, sparseLoss, 1e-5);
        float[] expected = problem.ToInputMajor(dense.Gradients.Select(v => (double)v).ToArray());
        float[] actual = problem.AnalyticGradient(sparse);
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-5f * Math.Max(1f, Math.Abs(expected[k])), $"parameter {k}: dense {expected[k]}, sparse {actual[k]}");
    }

    private static void CheckGradient(SparseProblem problem)
    {
        using BackpropTrainer trainer = problem.CreateTrainer();
        double summedLoss = trainer.ComputeGradients(problem.Parameters, problem.Rows);
        float[] analytic = problem.AnalyticGradient(trainer);

        double[] unitMajor = problem.UnitMajorParameters();
        double[] inputs = problem.DenseInputs().Select(v => (double)v).ToArray();
        var preActivations = new List<double>();
        double referenceLoss = ReferenceNetwork.MeanLoss(problem.Layout.Sizes, unitMajor, inputs, problem.Labels, problem.Rows,
            problem.Activation, LeakySlope, preActivations);
        if (problem.Activation is MlpActivation.ReLU or MlpActivation.LeakyReLU)
            Assert.True(preActivations.Min(Math.Abs) > 1e-3, "Test setup: a hidden pre-activation sits at the kink; choose another seed.");
        Assert.Equal(referenceLoss, summedLoss / problem.Rows, 1e-5);

        float[] numeric = problem.ToInputMajor(FiniteDifferences.Gradient(unitMajor, p => ReferenceNetwork.MeanLoss(
            problem.Layout.Sizes, p, inputs, problem.Labels, problem.Rows, problem.Activation, LeakySlope)));
        int width = problem.Layout.OutputsOf(0);
        Assert.True(numeric.AsSpan(0, problem.Layout.WeightCount(0)).ToArray().Any(v => Math.Abs(v) > 1e-4), "Test setup: no first-layer signal.");
        for (int k = 0; k < numeric.Length; k++)
        {
            double scale = Math.Max(MagnitudeFloor, Math.Max(Math.Abs(analytic[k]), Math.Abs(numeric[k])));
            string what = k < problem.Layout.WeightCount(0) ? $"first layer slot {k / width}, unit {k % width}" : $"parameter {k}";
            Assert.True(Math.Abs(analytic[k] - numeric[k]) / scale < RelativeTolerance, $"{what}: analytic {analytic[k]:G9}, numeric {numeric[k]:G9}");
        }
    }

    /// <summary>A network with an input-major first layer and a minibatch of sparse rows (a few slots each; slot 5 never).</summary>
    internal sealed record SparseProblem(NetworkLayout Layout, MlpActivation Activation, float[] Parameters, (int[] Slots, float[] Values)[] Inputs, int[] Labels)
    {
        public int Rows => Inputs.Length;

        public static SparseProblem Create(int[] sizes, MlpActivation activation, int rows, int seed)
        {
            var layout = new NetworkLayout(sizes, inputMajorFirstLayer: true);
            var random = new Random(seed);
            float[] parameters = new float[layout.ParameterCount];
            for (int i = 0; i < parameters.Length; i++)
                parameters[i] = (float)(random.NextDouble() - 0.5);
            var data = new (int[], float[])[rows];
            for (int r = 0; r < rows; r++)
            {
                int[] slots = Enumerable.Range(0, sizes[0]).Where(j => j != AbsentSlot).OrderBy(_ => random.Next()).Take(3).Order().ToArray();
                data[r] = (slots, slots.Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray());
            }
            int[] labels = Enumerable.Range(0, rows).Select(_ => random.Next(sizes[^1])).ToArray();
            return new SparseProblem(layout, activation, parameters, data, labels);
        }

        public BackpropTrainer CreateTrainer()
        {
            var trainer = new BackpropTrainer(Layout, Activation, LeakySlope, Rows, threads: 1);
            for (int r = 0; r < Rows; r++)
            {
                trainer.Batch.SetFeatures(r, Inputs[r].Slots, Inputs[r].Values);
                trainer.TargetBatch[r] = Labels[r];
            }
            return trainer;
        }

        public float[] DenseInputs()
        {
            int d = Layout.InputSize;
            var dense = new float[Rows * d];
            for (int r = 0; r < Rows; r++)
            {
                for (int k = 0; k < Inputs[r].Slots.Length; k++)
                    dense[r * d + Inputs[r].Slots[k]] = Inputs[r].Values[k];
            }
            return dense;
        }

        /// <summary>The parameters with the first layer transposed to the reference's unit-major layout.</summary>
        public double[] UnitMajorParameters()
        {
            double[] unitMajor = Parameters.Select(v => (double)v).ToArray();
            int d = Layout.InputSize, h = Layout.OutputsOf(0);
            for (int j = 0; j < d; j++)
                for (int o = 0; o < h; o++)
                    unitMajor[o * d + j] = Parameters[j * h + o];
            return unitMajor;
        }

        /// <summary>A unit-major gradient with its first layer transposed to the input-major layout.</summary>
        public float[] ToInputMajor(double[] unitMajor)
        {
            float[] inputMajor = unitMajor.Select(v => (float)v).ToArray();
            int d = Layout.InputSize, h = Layout.OutputsOf(0);
            for (int j = 0; j < d; j++)
                for (int o = 0; o < h; o++)
                    inputMajor[j * h + o] = (float)unitMajor[o * d + j];
            return inputMajor;
        }

        /// <summary>The trainer's gradient in the parameter layout: its sparse first-layer rows scattered into the weight part (zeros elsewhere).</summary>
        public float[] AnalyticGradient(BackpropTrainer trainer)
        {
            float[] gradient = trainer.Gradients.ToArray();
            int h = Layout.OutputsOf(0);
            gradient.AsSpan(0, Layout.WeightCount(0)).Clear();
            SparseRowGradient rows = trainer.FirstLayerRows!;
            for (int i = 0; i < rows.Count; i++)
                rows.Row(i).CopyTo(gradient.AsSpan(rows.Slots[i] * h, h));
            return gradient;
        }
    }
}
