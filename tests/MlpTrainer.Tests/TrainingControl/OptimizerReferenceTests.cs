using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Model;
using MlpTrainer.Optimizers;
using MlpTrainer.Tests.Learning;
using static MlpTrainer.Tests.TrainingControl.TrainingControlData;
using static MlpTrainer.Tests.Optimizers.OptimizerProblem;

namespace MlpTrainer.Tests.TrainingControl;

/// <summary>
/// AdamW and RMSProp against textbook double-precision references (PyTorch's formulas, with the L2/decay applied to the
/// weights only, as MlpOptions documents). The layout 17-9-3 has segments of 153, 9, 27 and 3 parameters, so vector
/// bodies and scalar tails both run.
/// </summary>
public class OptimizerReferenceTests
{
    private const float LearningRate = 0.01f;

    [Theory]
    [InlineData(0f)]
    [InlineData(0.05f)]
    [InlineData(2f)] // a decay large enough that its placement dominates
    public void AdamWMatchesPyTorchsAdamWWithDecoupledWeightDecay(float decay)
    {
        var options = new MlpOptions { Optimizer = MlpOptimizer.AdamW, Beta1 = 0.8f, Beta2 = 0.95f, Epsilon = 1e-8f, L2Regularization = decay };
        var (parameters, gradients) = RandomProblem(seed: 11);
        double[] w = parameters.Select(v => (double)v).ToArray();
        var m = new double[w.Length];
        var v = new double[w.Length];
        Optimizer optimizer = Optimizer.Create(options, Layout);

        for (int t = 1; t <= Steps; t++)
        {
            float[] g = gradients[t - 1];
            optimizer.Step(parameters, g, LearningRate);
            for (int k = 0; k < w.Length; k++)
            {
                if (IsWeight(k))
                    w[k] *= 1 - (double)LearningRate * decay;     // decoupled: shrink first, outside the moments
                m[k] = options.Beta1 * m[k] + (1 - (double)options.Beta1) * g[k];
                v[k] = options.Beta2 * v[k] + (1 - (double)options.Beta2) * g[k] * g[k];
                double mHat = m[k] / (1 - Math.Pow(options.Beta1, t));
                double vHat = v[k] / (1 - Math.Pow(options.Beta2, t));
                w[k] -= LearningRate * mHat / (Math.Sqrt(vHat) + options.Epsilon);
            }
            AssertClose(w, parameters, $"AdamW step {t}");
        }
    }

    [Fact]
    public void AdamWDiffersFromAdamWithTheSameL2()
    {
        var (start, gradients) = RandomProblem(seed: 12);
        float[] adamW = start.ToArray(), adam = start.ToArray();
        Optimizer a = Optimizer.Create(new MlpOptions { Optimizer = MlpOptimizer.AdamW, L2Regularization = 0.5f }, Layout);
        Optimizer b = Optimizer.Create(new MlpOptions { Optimizer = MlpOptimizer.Adam, L2Regularization = 0.5f }, Layout);
        foreach (float[] g in gradients)
        {
            a.Step(adamW, g, LearningRate);
            b.Step(adam, g, LearningRate);
        }

        double largest = adamW.Zip(adam, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(largest > 1e-3, $"AdamW and Adam+L2 differ by at most {largest:G3}");
        // The biases get no decay either way, so for them the two are the same optimizer.
        for (int k = 0; k < start.Length; k++)
        {
            if (!IsWeight(k))
                Assert.Equal(adam[k], adamW[k]);
        }
    }

    [Fact]
    public void AdamWWithoutDecayIsAdam()
    {
        var (start, gradients) = RandomProblem(seed: 13);
        float[] adamW = start.ToArray(), adam = start.ToArray();
        Optimizer a = Optimizer.Create(new MlpOptions { Optimizer = MlpOptimizer.AdamW, L2Regularization = 0f }, Layout);
        Optimizer b = Optimizer.Create(new MlpOptions { Optimizer = MlpOptimizer.Adam, L2Regularization = 0f }, Layout);
        foreach (float[] g in gradients)
        {
            a.Step(adamW, g, LearningRate);
            b.Step(adam, g, LearningRate);
        }
        Assert.True(BitIdentical(adam, adamW));
    }

    [Theory]
    [InlineData(0.99f, 0f)]
    [InlineData(0.9f, 0.05f)]
    public void RmsPropMatchesPyTorchsRmsProp(float rho, float l2)
    {
        var options = new MlpOptions { Optimizer = MlpOptimizer.RmsProp, RmsPropDecay = rho, Epsilon = 1e-8f, L2Regularization = l2 };
        var (parameters, gradients) = RandomProblem(seed: 14);
        double[] w = parameters.Select(v => (double)v).ToArray();
        var s = new double[w.Length];
        Optimizer optimizer = Optimizer.Create(options, Layout);
        Assert.IsType<RmsPropOptimizer>(optimizer);

        for (int t = 1; t <= Steps; t++)
        {
            float[] g = gradients[t - 1];
            optimizer.Step(parameters, g, LearningRate);
            for (int k = 0; k < w.Length; k++)
            {
                double gk = g[k] + (IsWeight(k) ? (double)l2 * w[k] : 0);
                s[k] = rho * s[k] + (1 - (double)rho) * gk * gk;
                w[k] -= LearningRate * gk / (Math.Sqrt(s[k]) + options.Epsilon);
            }
            AssertClose(w, parameters, $"RMSProp step {t}");
        }
    }

    [Fact]
    public void RmsPropKeepsOneStateArrayAndRestoresIt()
    {
        var options = new MlpOptions { Optimizer = MlpOptimizer.RmsProp };
        var (start, gradients) = RandomProblem(seed: 15);
        float[] straight = start.ToArray();
        Optimizer a = Optimizer.Create(options, Layout);
        foreach (float[] g in gradients)
            a.Step(straight, g, LearningRate);

        float[] resumed = start.ToArray();
        Optimizer first = Optimizer.Create(options, Layout);
        for (int t = 0; t < 3; t++)
            first.Step(resumed, gradients[t], LearningRate);
        Optimizer second = Optimizer.Create(options, Layout);
        second.RestoreState(first.StepCount, first.StateArrays.Select(x => x.ToArray()).ToArray());
        for (int t = 3; t < Steps; t++)
            second.Step(resumed, gradients[t], LearningRate);

        Assert.Single(a.StateArrays);
        Assert.True(BitIdentical(straight, resumed));
    }

    [Theory]
    [InlineData(MlpOptimizer.AdamW, 0.01f)]
    [InlineData(MlpOptimizer.RmsProp, 0.005f)]
    public void OptimizerTrainsASmallProblem(MlpOptimizer kind, float learningRate)
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = Quick(epochs: 15);
        options.Optimizer = kind;
        options.LearningRate = learningRate;
        options.L2Regularization = 0.01f;
        IDataView data = View(ml, Datasets.Blobs(300, seed: 61));

        var transformer = new MlpEstimator(ml, options).Fit(data);

        IReadOnlyList<MlpEpochReport> history = transformer.Model.TrainingHistory;
        Assert.True(history[^1].TrainingLoss < 0.5 * history[0].TrainingLoss, $"training loss {history[0].TrainingLoss:F4} → {history[^1].TrainingLoss:F4}");
        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(transformer.Transform(data));
        Assert.True(metrics.MicroAccuracy >= 0.95, $"training accuracy {metrics.MicroAccuracy:F4}");
    }
}
