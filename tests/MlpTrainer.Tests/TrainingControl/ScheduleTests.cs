using Microsoft.ML;
using MlpTrainer.Schedules;
using MlpTrainer.Tests.Learning;
using static MlpTrainer.Tests.TrainingControl.TrainingControlData;

namespace MlpTrainer.Tests.TrainingControl;

/// <summary>Each learning-rate schedule against its documented formula, step by step, and as the history reports it.</summary>
public class ScheduleTests
{
    private const float Eta0 = 0.05f;

    private static void AssertRate(double expected, float actual, string where)
        => Assert.True(Math.Abs(actual - expected) <= 1e-6 * Math.Abs(expected) + 1e-12, $"{where}: rate {actual:G9}, expected {expected:G9}");

    [Fact]
    public void ConstantScheduleKeepsTheInitialRateAtEveryStep()
    {
        var schedule = new ConstantSchedule(Eta0);
        for (int epoch = 0; epoch < 5; epoch++)
        {
            for (int step = 0; step < 7; step++)
                Assert.Equal(Eta0, schedule.RateAt(epoch, step));
            schedule.EndEpoch(epoch, monitoredLoss: 10 + epoch); // a worsening loss must not matter
        }
    }

    [Theory]
    [InlineData(0.5, 100)]
    [InlineData(0.25, 37)]
    [InlineData(0.0, 10)]
    public void InverseScalingRunsEpochEAtEta0OverENPlusOneToThePower(double power, long rowsPerEpoch)
    {
        // scikit-learn's invscaling: after each epoch η = η₀ / (t + 1)^power with t the rows seen, so epoch e runs at η₀ / (e·N + 1)^power.
        var schedule = new InverseScalingSchedule(Eta0, power, rowsPerEpoch);
        for (int epoch = 0; epoch < 6; epoch++)
        {
            double expected = Eta0 / Math.Pow(epoch * rowsPerEpoch + 1, power);
            for (int step = 0; step < 4; step++)
                AssertRate(expected, schedule.RateAt(epoch, step), $"epoch {epoch}, step {step}");
        }
        Assert.Equal(Eta0, schedule.RateAt(0, 0)); // the first epoch runs at η₀ itself
    }

    [Fact]
    public void StepScheduleMultipliesByGammaEveryKEpochs()
    {
        var schedule = new StepSchedule(Eta0, stepEpochs: 3, gamma: 0.5);
        for (int epoch = 0; epoch < 10; epoch++)
        {
            double expected = Eta0 * Math.Pow(0.5, epoch / 3);
            AssertRate(expected, schedule.RateAt(epoch, 0), $"epoch {epoch}, first step");
            AssertRate(expected, schedule.RateAt(epoch, 9), $"epoch {epoch}, later step");
        }
        AssertRate(Eta0 / 8, schedule.RateAt(9, 0), "epoch 9"); // three drops by then
    }

    [Theory]
    [InlineData(0, 4, 5, 0.0)]
    [InlineData(1, 4, 5, 0.001)]
    [InlineData(2, 6, 3, 0.002)]
    public void CosineScheduleWarmsUpLinearlyThenAnnealsPerStep(int warmupEpochs, int epochs, int stepsPerEpoch, double minimum)
    {
        var schedule = new CosineSchedule(Eta0, (float)minimum, warmupEpochs, epochs, stepsPerEpoch);
        int w = warmupEpochs * stepsPerEpoch, t = epochs * stepsPerEpoch;
        for (int s = 0; s < t; s++)
        {
            double expected = s < w
                ? Eta0 * (s + 1.0) / w
                : (float)minimum + 0.5 * (Eta0 - (float)minimum) * (1 + Math.Cos(Math.PI * (s - w) / (t - w)));
            AssertRate(expected, schedule.RateAt(s / stepsPerEpoch, s % stepsPerEpoch), $"step {s} of {t} (warm-up {w})");
        }
    }

    [Fact]
    public void CosineScheduleReachesEta0AtTheEndOfWarmUpAndFallsMonotonicallyAfter()
    {
        var schedule = new CosineSchedule(Eta0, 0.001f, warmupEpochs: 2, epochs: 8, stepsPerEpoch: 4);
        float[] rates = Enumerable.Range(0, 32).Select(s => schedule.RateAt(s / 4, s % 4)).ToArray();

        Assert.Equal(Eta0, rates[7]);   // last warm-up step: η₀·8/8
        Assert.Equal(Eta0, rates[8]);   // first annealing step: cos 0
        for (int s = 1; s < 8; s++)
            Assert.True(rates[s] > rates[s - 1], $"warm-up step {s}: {rates[s]} ≤ {rates[s - 1]}");
        for (int s = 9; s < 32; s++)
            Assert.True(rates[s] < rates[s - 1], $"annealing step {s}: {rates[s]} ≥ {rates[s - 1]}");
        Assert.True(rates[^1] > 0.001f, "the last step is above the floor");
    }

    [Fact]
    public void ReduceOnPlateauCutsTheRateAfterPatienceEpochsWithoutImprovementAndResetsTheCount()
    {
        var schedule = new ReduceOnPlateauSchedule(Eta0, minimum: 0f, factor: 0.5f, patience: 2, tolerance: 0.01);
        // Monitored losses and the rate expected for the NEXT epoch after each.
        (double Loss, double Next)[] script =
        {
            (1.00, Eta0),        // first value: an improvement
            (0.90, Eta0),        // improvement
            (0.895, Eta0),       // better, but by less than the tolerance: 1 epoch without improvement
            (0.95, Eta0 * 0.5),  // 2 in a row: cut, count back to 0
            (0.90, Eta0 * 0.5),  // 1 (best is 0.895; 0.90 is no improvement)
            (0.80, Eta0 * 0.5),  // improvement: count back to 0
            (0.81, Eta0 * 0.5),  // 1
            (0.80, Eta0 * 0.25), // 2: cut again
            (0.85, Eta0 * 0.25), // 1 — the count restarted after the cut
        };
        AssertRate(Eta0, schedule.RateAt(0, 0), "before any epoch");
        for (int e = 0; e < script.Length; e++)
        {
            schedule.EndEpoch(e, script[e].Loss);
            for (int step = 0; step < 3; step++)
                AssertRate(script[e].Next, schedule.RateAt(e + 1, step), $"after epoch {e} (loss {script[e].Loss})");
        }
    }

    [Fact]
    public void ReduceOnPlateauNeverGoesBelowTheMinimum()
    {
        var schedule = new ReduceOnPlateauSchedule(Eta0, minimum: 0.01f, factor: 0.2f, patience: 1, tolerance: 0);
        schedule.EndEpoch(0, 1.0);
        for (int e = 1; e < 8; e++)
            schedule.EndEpoch(e, 2.0); // never improves: a cut every epoch

        AssertRate(0.01f, schedule.RateAt(8, 0), "after many cuts");
    }

    [Fact]
    public void ReduceOnPlateauStateRoundTripsThroughACheckpoint()
    {
        var a = new ReduceOnPlateauSchedule(Eta0, 0f, 0.5f, 2, 0.01);
        foreach (double loss in new[] { 1.0, 0.995 }) // best 1.0, then 1 epoch without improvement
            a.EndEpoch(0, loss);
        var b = new ReduceOnPlateauSchedule(Eta0, 0f, 0.5f, 2, 0.01) { State = a.State };

        a.EndEpoch(3, 1.0);
        b.EndEpoch(3, 1.0);
        Assert.Equal(a.RateAt(4, 0), b.RateAt(4, 0));
        Assert.Equal(Eta0 * 0.5f, b.RateAt(4, 0)); // the restored count reached 2 of 2 with this epoch: a fresh schedule would not cut
    }

    [Fact]
    public void CreateBuildsTheScheduleTheOptionsNameWithTheirParameters()
    {
        var options = new MlpOptions { LearningRate = Eta0, StepEpochs = 2, StepGamma = 0.3f, PowerT = 0.5f, NumberOfEpochs = 4, WarmupEpochs = 1 };
        options.LearningRateSchedule = MlpLearningRateSchedule.Step;
        AssertRate(Eta0 * 0.3, Assert.IsType<StepSchedule>(LearningRateSchedule.Create(options, 5, 50)).RateAt(2, 0), "Step");
        options.LearningRateSchedule = MlpLearningRateSchedule.InverseScaling;
        AssertRate(Eta0 / Math.Sqrt(51), Assert.IsType<InverseScalingSchedule>(LearningRateSchedule.Create(options, 5, 50)).RateAt(1, 0), "InverseScaling");
        options.LearningRateSchedule = MlpLearningRateSchedule.Cosine;
        AssertRate(Eta0 / 5, Assert.IsType<CosineSchedule>(LearningRateSchedule.Create(options, 5, 50)).RateAt(0, 0), "Cosine warm-up");
        options.LearningRateSchedule = MlpLearningRateSchedule.ReduceOnPlateau;
        Assert.IsType<ReduceOnPlateauSchedule>(LearningRateSchedule.Create(options, 5, 50));
        options.LearningRateSchedule = MlpLearningRateSchedule.Constant;
        Assert.IsType<ConstantSchedule>(LearningRateSchedule.Create(options, 5, 50));
    }

    // ---- In a real Fit: the history's LearningRate is the rate of the epoch's last minibatch. ----

    private static readonly Datasets.Set Data = Datasets.Blobs(90, seed: 51); // batch 20: 5 steps per epoch, 90 rows

    private static IReadOnlyList<MlpEpochReport> FitHistory(Action<MlpOptions> configure)
    {
        var ml = new MLContext(seed: 0);
        MlpOptions options = Quick(epochs: 6);
        options.BatchSize = 20;
        options.LearningRate = Eta0;
        configure(options);
        return new MlpEstimator(ml, options).Fit(View(ml, Data)).Model.TrainingHistory;
    }

    [Fact]
    public void HistoryReportsTheStepScheduleOfAFit()
    {
        IReadOnlyList<MlpEpochReport> history = FitHistory(o => { o.LearningRateSchedule = MlpLearningRateSchedule.Step; o.StepEpochs = 2; o.StepGamma = 0.5f; });

        Assert.Equal(6, history.Count);
        foreach (MlpEpochReport e in history)
            AssertRate(Eta0 * Math.Pow(0.5, (e.Epoch - 1) / 2), e.LearningRate, $"epoch {e.Epoch}");
    }

    [Fact]
    public void HistoryReportsTheInverseScalingScheduleOfAFit()
    {
        IReadOnlyList<MlpEpochReport> history = FitHistory(o => { o.LearningRateSchedule = MlpLearningRateSchedule.InverseScaling; o.PowerT = 0.5f; });

        foreach (MlpEpochReport e in history)
            AssertRate(Eta0 / Math.Sqrt((e.Epoch - 1) * 90.0 + 1), e.LearningRate, $"epoch {e.Epoch}");
    }

    [Fact]
    public void HistoryReportsTheCosineScheduleOfAFitAtEachEpochsLastStep()
    {
        IReadOnlyList<MlpEpochReport> history = FitHistory(o => { o.LearningRateSchedule = MlpLearningRateSchedule.Cosine; o.WarmupEpochs = 2; o.MinimumLearningRate = 0.001f; });

        const int steps = 5, w = 2 * steps, t = 6 * steps;
        foreach (MlpEpochReport e in history)
        {
            int s = e.Epoch * steps - 1;
            double expected = s < w ? Eta0 * (s + 1.0) / w : 0.001f + 0.5 * (Eta0 - 0.001f) * (1 + Math.Cos(Math.PI * (s - w) / (t - w)));
            AssertRate(expected, e.LearningRate, $"epoch {e.Epoch} (step {s})");
        }
    }

    [Fact]
    public void HistoryReportsReduceOnPlateauCutsThatFollowTheMonitoredTrainingLoss()
    {
        // A tolerance larger than the late improvements, so the rate is cut during the run.
        IReadOnlyList<MlpEpochReport> history = FitHistory(o =>
        {
            o.NumberOfEpochs = 12;
            o.LearningRateSchedule = MlpLearningRateSchedule.ReduceOnPlateau;
            o.PlateauPatience = 1;
            o.PlateauFactor = 0.5f;
            o.EarlyStoppingTolerance = 0.02;
        });

        // Replay the documented rule on the reported training losses (the monitored loss without validation data).
        double rate = Eta0, best = double.PositiveInfinity;
        int wait = 0;
        foreach (MlpEpochReport e in history)
        {
            AssertRate(rate, e.LearningRate, $"epoch {e.Epoch}");
            if (e.TrainingLoss < best - 0.02)
                wait = 0;
            else if (++wait >= 1)
            {
                rate *= 0.5;
                wait = 0;
            }
            best = Math.Min(best, e.TrainingLoss);
        }
        Assert.True(history[^1].LearningRate < Eta0, "Test setup: the rate was never cut");
    }

    [Fact]
    public void WithValidationDataReduceOnPlateauFollowsTheValidationLoss()
    {
        // On the overfitting problem the training loss keeps falling while the validation loss turns up: the cuts must
        // follow the validation loss.
        var ml = new MLContext(seed: 0);
        (Datasets.Set train, Datasets.Set validation) = Overfitting();
        MlpOptions options = OverfittingOptions();
        options.NumberOfEpochs = 15;
        options.LearningRateSchedule = MlpLearningRateSchedule.ReduceOnPlateau;
        options.PlateauPatience = 1;
        options.PlateauFactor = 0.5f;

        IReadOnlyList<MlpEpochReport> history = new MlpEstimator(ml, options).Fit(View(ml, train), View(ml, validation)).Model.TrainingHistory;

        double[] onValidation = Replay(history.Select(e => e.ValidationLoss!.Value).ToArray(), options);
        double[] onTraining = Replay(history.Select(e => e.TrainingLoss).ToArray(), options);
        for (int i = 0; i < history.Count; i++)
            AssertRate(onValidation[i], history[i].LearningRate, $"epoch {history[i].Epoch}");
        Assert.NotEqual(onTraining, onValidation); // Test setup: the two losses call for different cuts
    }

    /// <summary>The rate of each epoch under the documented ReduceOnPlateau rule, given the monitored loss of each epoch.</summary>
    private static double[] Replay(double[] monitored, MlpOptions options)
    {
        var rates = new double[monitored.Length];
        double rate = options.LearningRate ?? 0.001, best = double.PositiveInfinity;
        int wait = 0;
        for (int i = 0; i < monitored.Length; i++)
        {
            rates[i] = rate;
            if (monitored[i] < best - options.EarlyStoppingTolerance)
                wait = 0;
            else if (++wait >= options.PlateauPatience)
            {
                rate = Math.Max(options.MinimumLearningRate, rate * options.PlateauFactor);
                wait = 0;
            }
            best = Math.Min(best, monitored[i]);
        }
        return rates;
    }
}
