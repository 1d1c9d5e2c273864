using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Numeric;
using Microsoft.ML.Runtime;
using MlpTrainer.Losses;
using MlpTrainer.Model;
using MlpTrainer.Training;

namespace MlpTrainer;

/// <summary>
/// <see cref="MlpOptimizer.Lbfgs"/>: minimises the <see cref="FullBatchObjective"/> with ML.NET's L-BFGS
/// (<c>Microsoft.ML.Numeric.Optimizer</c>, the one behind its <c>Lbfgs*</c> trainers: two-loop recursion over the last
/// <see cref="FullBatchObjective.HistorySize"/> pairs, Wolfe line search, restart on a failed search). Each accepted
/// iterate is one epoch of the history. It stops, as scikit-learn's <c>lbfgs</c> solver does, after
/// <see cref="MlpOptions.NumberOfEpochs"/> iterations, when the gradient's largest component is at most
/// <see cref="MlpOptions.EarlyStoppingTolerance"/> (SciPy's <c>gtol</c>, which scikit-learn sets to its <c>tol</c>), or when
/// the line search can make no more progress; with validation data, early stopping also watches the validation metric.
/// (Patience on the training loss is for minibatch optimizers, whose loss is noisy; L-BFGS's full-batch loss decreases at
/// every iteration, often slowly before it speeds up.) The line search's arithmetic is sequential and the objective
/// does not depend on the thread count, so the result is deterministic.
/// </summary>
internal static class LbfgsTraining
{
    /// <param name="env">ML.NET's environment, which runs the optimizer.</param>
    /// <param name="options">The validated options.</param>
    /// <param name="prepared">The training (and validation) rows.</param>
    /// <param name="loss">The output layer's loss.</param>
    /// <param name="threads">Threads for the matrix products.</param>
    /// <param name="parameters">The starting weights; the result is written here.</param>
    /// <param name="priorHistory">Earlier epochs of a warm-started model.</param>
    /// <param name="checkAlive">Runs before every chunk of rows; throws to stop.</param>
    /// <param name="onEpoch">Receives each iteration's report.</param>
    public static TrainingLoop.Result Run(IHostEnvironment env, MlpOptions options, PreparedTraining prepared, OutputLoss loss, int threads,
        float[] parameters, IReadOnlyList<MlpEpochReport> priorHistory, Action checkAlive, Action<MlpEpochReport> onEpoch)
    {
        NetworkLayout layout = prepared.Layout;
        bool hasValidation = prepared.Validation is not null && prepared.ValidationRows is { Length: > 0 };
        if (options.EarlyStoppingPatience > 0 && options.EarlyStoppingMetric == MlpEarlyStoppingMetric.Accuracy && (!loss.CountsCorrect || !hasValidation))
            throw new ArgumentException("MlpOptions.EarlyStoppingMetric = Accuracy needs a classification and validation data (Fit(train, validation) or ValidationFraction).", nameof(options));
        if (!(prepared.Train.WeightSum > 0))
            throw new ArgumentException("Every training row has weight 0: at least one row needs a positive weight.", nameof(prepared));

        using var trainer = new BackpropTrainer(layout, options.Activation, options.LeakyReLUSlope, prepared.Train.BatchSize, threads, 0f, loss);
        var objective = new FullBatchObjective(trainer, prepared.Train, layout, options.L2Regularization, () =>
        {
            checkAlive();
            options.CancellationToken.ThrowIfCancellationRequested();
        });
        var point = new float[layout.ParameterCount];
        DifferentiableFunction function = (in VBuffer<float> input, ref VBuffer<float> gradient, IProgressChannelProvider progress) =>
        {
            input.GetValues().CopyTo(point);
            var editor = VBufferEditor.Create(ref gradient, point.Length);
            float value = (float)objective.Evaluate(point, editor.Values);
            gradient = editor.Commit();
            return value;
        };

        var history = new List<MlpEpochReport>(priorHistory);
        int epochOffset = priorHistory.Count == 0 ? 0 : priorHistory[^1].Epoch;
        var stopping = new EarlyStopping(hasValidation ? options.EarlyStoppingPatience : 0, options.EarlyStoppingTolerance, options.EarlyStoppingMetric == MlpEarlyStoppingMetric.Accuracy);
        bool keepBest = stopping.Enabled && options.RestoreBestWeights;
        float[]? best = null;
        long started = Stopwatch.GetTimestamp();
        bool gradientSmall = false;
        var monitor = new LbfgsIterationMonitor((x, gradient) =>
        {
            x.Span.CopyTo(parameters);
            double? validationLoss = null, validationAccuracy = null;
            if (hasValidation)
            {
                (double sum, double weight, long correct) = trainer.Evaluate(parameters, prepared.Validation!, prepared.ValidationRows);
                validationLoss = sum / weight;
                validationAccuracy = loss.CountsCorrect ? (double)correct / prepared.ValidationRows!.Length : null;
            }
            var report = new MlpEpochReport(epochOffset + history.Count - priorHistory.Count + 1, objective.LastDataLoss, validationLoss, validationAccuracy,
                0f, Stopwatch.GetElapsedTime(started).TotalSeconds);
            started = Stopwatch.GetTimestamp();
            history.Add(report);
            onEpoch(report);
            gradientSmall = Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(gradient.Span)) <= options.EarlyStoppingTolerance;
            bool stop = gradientSmall || history.Count - priorHistory.Count >= options.NumberOfEpochs;
            if (stopping.Enabled)
            {
                double watched = options.EarlyStoppingMetric == MlpEarlyStoppingMetric.Accuracy ? validationAccuracy!.Value : validationLoss ?? report.TrainingLoss;
                if (stopping.Observe(report.Epoch, watched) && keepBest)
                    best = (float[])parameters.Clone();
                stop |= stopping.ShouldStop;
            }
            return stop;
        });

        var initial = new VBuffer<float>(parameters.Length, (float[])parameters.Clone());
        var result = default(VBuffer<float>);
        bool converged = false;
        try
        {
            new Optimizer(env, FullBatchObjective.HistorySize, keepDense: true).Minimize(function, ref initial, monitor, ref result, out _);
        }
        catch (Optimizer.PrematureConvergenceException)
        {
            // The line search can make no more progress: the last accepted iterate, already in parameters, is the result.
            converged = true;
        }
        if (keepBest && best is not null)
            best.CopyTo(parameters, 0);
        bool stoppedEarly = stopping.ShouldStop || converged || gradientSmall;
        return new TrainingLoop.Result(parameters, history, stoppedEarly, stopping.BestEpoch);
    }
}
