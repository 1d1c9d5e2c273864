using MlpTrainer.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Model;
using MlpTrainer.Tests.Learning;
using MlpTrainer.Training;
using static MlpTrainer.Tests.TrainingControl.TrainingControlData;

namespace MlpTrainer.Tests.TrainingControl;

/// <summary>Inverted dropout on the hidden layers: on in training, seeded, and off when scoring.</summary>
public class DropoutTests
{
    private static readonly Datasets.Set Data = Datasets.Blobs(150, seed: 71);

    private static MlpModelParameters Train(float dropout, int seed = 7)
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = Quick(epochs: 4);
        options.HiddenLayerSizes = new[] { 16, 12 };
        options.DropoutRate = dropout;
        options.Seed = seed;
        return new MlpEstimator(ml, options).Fit(View(ml, Data)).Model;
    }

    [Fact]
    public void DropoutChangesTheTrainedWeights()
    {
        Assert.False(BitIdentical(Parameters(Train(0f)), Parameters(Train(0.5f))));
    }

    [Fact]
    public void DropoutTrainingIsDeterministicForASeed()
    {
        Assert.True(BitIdentical(Parameters(Train(0.5f)), Parameters(Train(0.5f))));
    }

    [Fact]
    public void ScoringIsRepeatableAfterTrainingWithDropout()
    {
        MlpModelParameters model = Train(0.5f);

        foreach (float[] row in Data.Features.Take(30))
            Assert.Equal(model.Predict(row), model.Predict(row));
    }

    [Fact]
    public void ScoringAModelTrainedWithDropoutIsAPlainForwardPassWithoutDropout()
    {
        MlpModelParameters model = Train(0.5f);

        foreach (float[] row in Data.Features.Take(30))
        {
            float[] scored = model.Predict(row);
            double[] plain = Forward(model, row);
            for (int c = 0; c < plain.Length; c++)
                Assert.True(Math.Abs(scored[c] - plain[c]) <= 1e-5, $"class {c}: scored {scored[c]:G9}, plain forward pass {plain[c]:G9}");
        }
    }

    [Fact]
    public void TheScoreColumnOfAModelTrainedWithDropoutEqualsPredict()
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = Quick(epochs: 3);
        options.DropoutRate = 0.5f;
        IDataView view = View(ml, Data);
        var transformer = new MlpEstimator(ml, options).Fit(view);

        float[][] first = Scores(ml, transformer.Transform(view)), second = Scores(ml, transformer.Transform(view));

        for (int i = 0; i < Data.Count; i++)
        {
            Assert.Equal(first[i], second[i]);
            Assert.Equal(transformer.Model.Predict(Data.Features[i]), first[i]);
        }
    }

    [Fact]
    public void DropoutGradientMatchesCentralDifferencesOfTheLossWithTheSameMasks()
    {
        // Masks come only from the generator, so a generator with the same seed replays them: the loss as a function of
        // the parameters, with the masks held fixed, is smooth (tanh), and its central differences must match the
        // analytic gradient of the dropout forward pass.
        const int rows = 6, maskSeed = 123;
        const float rate = 0.4f;
        var layout = new NetworkLayout(new[] { 4, 7, 6, 3 });
        var random = new Random(5);
        float[] parameters = WeightInitializer.Initialize(layout, MlpActivation.Tanh, random);
        float[] inputs = Enumerable.Range(0, rows * 4).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
        int[] labels = Enumerable.Range(0, rows).Select(_ => random.Next(3)).ToArray();
        using var trainer = new BackpropTrainer(layout, MlpActivation.Tanh, 0.01f, rows, threads: 1, dropoutRate: rate);
        Load(trainer, inputs, labels);

        double Loss(float[] p) => trainer.ComputeGradients(p, rows, new Random(maskSeed)) / rows;

        double loss = Loss(parameters);
        float[] analytic = trainer.Gradients.ToArray();
        Assert.Equal(loss, Loss(parameters)); // the same masks give the same loss

        using var plain = new BackpropTrainer(layout, MlpActivation.Tanh, 0.01f, rows, threads: 1);
        Load(plain, inputs, labels);
        plain.ComputeGradients(parameters, rows);
        Assert.NotEqual(plain.Gradients, analytic); // Test setup: dropout did change this minibatch

        double[] numeric = FiniteDifferences.Gradient(parameters, Loss);

        double diff = 0, norm = 0;
        for (int k = 0; k < numeric.Length; k++)
        {
            diff += (analytic[k] - numeric[k]) * (analytic[k] - numeric[k]);
            norm += numeric[k] * numeric[k];
            Assert.True(Math.Abs(analytic[k] - numeric[k]) <= 1e-3 + 1e-2 * Math.Abs(numeric[k]),
                $"parameter {k}: analytic {analytic[k]:G6}, numeric {numeric[k]:G6}");
        }
        Assert.True(Math.Sqrt(diff / norm) < 1e-2, $"‖analytic − numeric‖ / ‖numeric‖ = {Math.Sqrt(diff / norm):G3}");
    }

    [Fact]
    public void AUnitDroppedForTheOnlyRowGetsNoGradientOnItsIncomingOrOutgoingWeights()
    {
        // One row, one hidden layer of 10: a unit whose output the mask zeroes takes no part in the loss.
        const float rate = 0.5f;
        var layout = new NetworkLayout(new[] { 3, 10, 3 });
        var random = new Random(8);
        float[] parameters = WeightInitializer.Initialize(layout, MlpActivation.Tanh, random);
        using var trainer = new BackpropTrainer(layout, MlpActivation.Tanh, 0.01f, 1, threads: 1, dropoutRate: rate);
        Load(trainer, new[] { 0.3f, -0.7f, 0.9f }, new[] { 2 });

        trainer.ComputeGradients(parameters, 1, new Random(4));
        float[] g = trainer.Gradients;

        int w0 = layout.WeightOffset(0), b0 = layout.BiasOffset(0), w1 = layout.WeightOffset(1);
        var dropped = new List<int>();
        for (int j = 0; j < 10; j++)
        {
            bool outgoingZero = Enumerable.Range(0, 3).All(o => g[w1 + o * 10 + j] == 0f);
            bool incomingZero = Enumerable.Range(0, 3).All(i => g[w0 + j * 3 + i] == 0f) && g[b0 + j] == 0f;
            Assert.True(outgoingZero == incomingZero, $"unit {j}: outgoing gradient zero {outgoingZero}, incoming zero {incomingZero}");
            if (outgoingZero)
                dropped.Add(j);
        }
        Assert.InRange(dropped.Count, 1, 9); // with p = 0.5 and this seed some units drop and some stay
    }

    /// <summary>Puts a minibatch of rows (row-major features) and their class labels into the trainer.</summary>
    private static void Load(BackpropTrainer trainer, float[] inputs, int[] labels)
    {
        inputs.CopyTo(trainer.InputBatch, 0);
        for (int i = 0; i < labels.Length; i++)
            trainer.TargetBatch[i] = labels[i];
    }

    private static float[][] Scores(MLContext ml, IDataView scored)
        => scored.GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray()).ToArray();
}
