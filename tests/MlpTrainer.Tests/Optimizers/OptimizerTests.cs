using MlpTrainer.Model;
using MlpTrainer.Optimizers;
using static MlpTrainer.Tests.Optimizers.OptimizerProblem;

namespace MlpTrainer.Tests.Optimizers;

/// <summary>
/// The optimizers against textbook double-precision formulas over several steps. The layout 17-9-3 gives
/// segments of 153, 9, 27 and 3 parameters, so every update runs vector bodies and scalar tails.
/// </summary>
public class OptimizerTests
{

    [Theory]
    [InlineData(1e-8f, 0f)]
    [InlineData(1e-8f, 0.05f)]
    [InlineData(1e-2f, 0.05f)] // an ε large enough to matter checks how the bias correction treats it
    public void AdamMatchesPyTorchsAdamWithBiasCorrection(float epsilon, float l2)
    {
        var options = new MlpOptions { Optimizer = MlpOptimizer.Adam, Beta1 = 0.8f, Beta2 = 0.95f, Epsilon = epsilon, L2Regularization = l2 };
        const float lr = 0.01f;
        var (parameters, gradients) = RandomProblem(seed: 1);
        double[] w = parameters.Select(v => (double)v).ToArray();
        var m = new double[w.Length];
        var v = new double[w.Length];
        Optimizer optimizer = Optimizer.Create(options, Layout);
        Assert.IsType<AdamOptimizer>(optimizer);

        for (int t = 1; t <= Steps; t++)
        {
            float[] g = gradients[t - 1];
            optimizer.Step(parameters, g, lr);
            for (int k = 0; k < w.Length; k++)
            {
                double gk = g[k] + (IsWeight(k) ? (double)l2 * w[k] : 0);
                m[k] = options.Beta1 * m[k] + (1 - (double)options.Beta1) * gk;
                v[k] = options.Beta2 * v[k] + (1 - (double)options.Beta2) * gk * gk;
                double mHat = m[k] / (1 - Math.Pow(options.Beta1, t));
                double vHat = v[k] / (1 - Math.Pow(options.Beta2, t));
                w[k] -= lr * mHat / (Math.Sqrt(vHat) + epsilon);
            }
            AssertClose(w, parameters, $"Adam step {t}");
        }
    }

    [Fact]
    public void PlainSgdStepsAgainstTheGradientPlusWeightDecay()
    {
        var options = new MlpOptions { Optimizer = MlpOptimizer.Sgd, Momentum = 0f, L2Regularization = 0.05f };
        CheckSgd(options, lr: 0.1f, (w, g, v, decay) => w - 0.1 * (g + decay * w));
    }

    [Fact]
    public void SgdWithMomentumFollowsTheVelocity()
    {
        var options = new MlpOptions { Optimizer = MlpOptimizer.Sgd, Momentum = 0.9f, UseNesterov = false, L2Regularization = 0.05f };
        CheckSgd(options, lr: 0.1f, (w, g, v, decay) =>
        {
            v[0] = 0.9f * v[0] - 0.1 * (g + decay * w);
            return w + v[0];
        });
    }

    [Fact]
    public void SgdWithNesterovMomentumLooksAheadAlongTheVelocity()
    {
        var options = new MlpOptions { Optimizer = MlpOptimizer.Sgd, Momentum = 0.9f, UseNesterov = true, L2Regularization = 0.05f };
        CheckSgd(options, lr: 0.1f, (w, g, v, decay) =>
        {
            double step = 0.1 * (g + decay * w);
            v[0] = 0.9f * v[0] - step;
            return w + 0.9f * v[0] - step;
        });
    }

    [Fact]
    public void SgdWithZeroMomentumIsPlainSgdEvenWithNesterovOn()
    {
        var (start, gradients) = RandomProblem(seed: 4);
        float[] plain = start.ToArray(), nesterov = start.ToArray();
        Optimizer a = Optimizer.Create(new MlpOptions { Optimizer = MlpOptimizer.Sgd, Momentum = 0f, UseNesterov = false }, Layout);
        Optimizer b = Optimizer.Create(new MlpOptions { Optimizer = MlpOptimizer.Sgd, Momentum = 0f, UseNesterov = true }, Layout);
        foreach (float[] g in gradients)
        {
            a.Step(plain, g, 0.1f);
            b.Step(nesterov, g, 0.1f);
        }
        Assert.Equal(plain, nesterov);
    }

    public static TheoryData<MlpOptimizer, float, bool> AllOptimizers => new()
    {
        { MlpOptimizer.Sgd, 0f, false },
        { MlpOptimizer.Sgd, 0.9f, false },
        { MlpOptimizer.Sgd, 0.9f, true },
        { MlpOptimizer.Adam, 0.9f, true },
    };

    [Theory]
    [MemberData(nameof(AllOptimizers))]
    public void L2ShrinksTheWeightsButLeavesTheBiasesAlone(MlpOptimizer kind, float momentum, bool nesterov)
    {
        var options = new MlpOptions { Optimizer = kind, Momentum = momentum, UseNesterov = nesterov, L2Regularization = 0.1f };
        var (parameters, _) = RandomProblem(seed: 5);
        float[] before = parameters.ToArray();
        Optimizer optimizer = Optimizer.Create(options, Layout);
        var zero = new float[parameters.Length];

        for (int t = 0; t < 3; t++)
            optimizer.Step(parameters, zero, 0.01f);

        for (int k = 0; k < parameters.Length; k++)
        {
            if (IsWeight(k))
                Assert.True(Math.Abs(parameters[k]) < Math.Abs(before[k]), $"weight {k}: {before[k]} → {parameters[k]} did not shrink");
            else
                Assert.Equal(before[k], parameters[k]);
        }
    }

    [Theory]
    [MemberData(nameof(AllOptimizers))]
    public void WithoutL2AZeroGradientChangesNothing(MlpOptimizer kind, float momentum, bool nesterov)
    {
        var options = new MlpOptions { Optimizer = kind, Momentum = momentum, UseNesterov = nesterov, L2Regularization = 0f };
        var (parameters, _) = RandomProblem(seed: 6);
        float[] before = parameters.ToArray();
        Optimizer optimizer = Optimizer.Create(options, Layout);

        optimizer.Step(parameters, new float[parameters.Length], 0.01f);

        Assert.Equal(before, parameters);
    }

    [Fact]
    public void StepCountCountsTheUpdates()
    {
        Optimizer optimizer = Optimizer.Create(new MlpOptions(), Layout);
        var (parameters, gradients) = RandomProblem(seed: 7);
        Assert.Equal(0, optimizer.StepCount);
        optimizer.Step(parameters, gradients[0], 0.01f);
        optimizer.Step(parameters, gradients[1], 0.01f);
        Assert.Equal(2, optimizer.StepCount);
    }

    [Fact]
    public void VectorsOfTheWrongLengthAreRejected()
    {
        Optimizer optimizer = Optimizer.Create(new MlpOptions(), Layout);
        int n = Layout.ParameterCount;
        Assert.Throws<ArgumentException>(() => optimizer.Step(new float[n - 1], new float[n], 0.01f));
        Assert.Throws<ArgumentException>(() => optimizer.Step(new float[n], new float[n + 1], 0.01f));
    }

    [Fact]
    public void CreateBuildsTheOptimizerTheOptionsName()
    {
        Assert.IsType<SgdOptimizer>(Optimizer.Create(new MlpOptions { Optimizer = MlpOptimizer.Sgd }, Layout));
        Assert.IsType<AdamOptimizer>(Optimizer.Create(new MlpOptions { Optimizer = MlpOptimizer.Adam }, Layout));
    }

    /// <summary>Runs <see cref="Steps"/> SGD steps and compares with <paramref name="reference"/>(w, g, velocity, decay) per parameter.</summary>
    private static void CheckSgd(MlpOptions options, float lr, Func<double, double, double[], double, double> reference)
    {
        var (parameters, gradients) = RandomProblem(seed: 2);
        double[] w = parameters.Select(v => (double)v).ToArray();
        double[][] velocity = w.Select(_ => new double[1]).ToArray();
        Optimizer optimizer = Optimizer.Create(options, Layout);
        Assert.IsType<SgdOptimizer>(optimizer);

        for (int t = 1; t <= Steps; t++)
        {
            float[] g = gradients[t - 1];
            optimizer.Step(parameters, g, lr);
            for (int k = 0; k < w.Length; k++)
                w[k] = reference(w[k], g[k], velocity[k], IsWeight(k) ? options.L2Regularization : 0);
            AssertClose(w, parameters, $"SGD step {t}");
        }
    }
}
