using MlpTrainer.Tests.Support;
using MlpTrainer.Data;
using MlpTrainer.Model;
using MlpTrainer.Tests.Learning;
using MlpTrainer.Training;

namespace MlpTrainer.Tests.Lbfgs;

/// <summary>The objective L-BFGS minimises: weighted mean loss over every row, summed in chunks, plus λ/2·Σw².</summary>
public class FullBatchObjectiveTests
{
    private static (FullBatchObjective Objective, BackpropTrainer Trainer, NetworkLayout Layout, float[] Parameters) Build(int chunk, float l2)
    {
        Datasets.Set set = Datasets.Blobs(90, seed: 8);
        var data = new DenseDataset(3, 3);
        var random = new Random(2);
        for (int i = 0; i < set.Count; i++)
            data.Add(set.Features[i], set.Labels[i], weight: 0.5f + (float)random.NextDouble());
        var layout = new NetworkLayout(new[] { 3, 5, 3 });
        float[] parameters = WeightInitializer.Initialize(layout, MlpActivation.Tanh, new Random(4));
        var source = new InMemoryMinibatchSource(data, TrainingData.AllRows(data), shuffle: true, seed: 1, batchSize: chunk);
        var trainer = new BackpropTrainer(layout, MlpActivation.Tanh, 0.01f, chunk, threads: 1);
        return (new FullBatchObjective(trainer, source, layout, l2, () => { }), trainer, layout, parameters);
    }

    [Fact]
    public void TheGradientMatchesCentralDifferencesOfTheValue()
    {
        (FullBatchObjective objective, BackpropTrainer trainer, NetworkLayout layout, float[] parameters) = Build(chunk: 32, l2: 0.05f);
        using (trainer)
        {
            var gradient = new float[layout.ParameterCount];
            objective.Evaluate(parameters, gradient);

            var scratch = new float[layout.ParameterCount];
            double[] numeric = FiniteDifferences.Gradient(parameters, p => objective.Evaluate(p, scratch));
            for (int i = 0; i < parameters.Length; i++)
                Assert.True(Math.Abs(numeric[i] - gradient[i]) <= 2e-3 + 2e-2 * Math.Abs(numeric[i]), $"parameter {i}: analytic {gradient[i]}, numeric {numeric[i]}");
        }
    }

    [Fact]
    public void ChunksOfAnySizeGiveTheSameValue()
    {
        (FullBatchObjective whole, BackpropTrainer a, NetworkLayout layout, float[] parameters) = Build(chunk: 90, l2: 0.05f);
        (FullBatchObjective chunked, BackpropTrainer b, _, _) = Build(chunk: 16, l2: 0.05f);
        using (a)
        using (b)
        {
            double one = whole.Evaluate(parameters, new float[layout.ParameterCount]);
            double many = chunked.Evaluate(parameters, new float[layout.ParameterCount]);

            Assert.Equal(one, many, 1e-5);
        }
    }
}
