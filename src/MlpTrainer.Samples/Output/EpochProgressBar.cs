using System.Diagnostics;
using Spectre.Console;

namespace MlpTrainer.Samples.Output;

/// <summary>
/// A Spectre.Console progress bar driven by the trainer: pass it as <see cref="MlpOptions.Progress"/>, then call
/// <see cref="Run{T}"/> with the code that fits the pipeline. Every epoch report moves the bar one step and shows the
/// latest losses. The bar counts epoch reports, so one bar can follow several fits (the folds of a cross-validation).
/// </summary>
public sealed class EpochProgressBar : IProgress<MlpEpochReport>
{
    private readonly IAnsiConsole _console;
    private readonly string _title;
    private readonly int _totalEpochs;
    private ProgressTask? _task;
    private int _reports;

    /// <param name="console">Where the bar is drawn.</param>
    /// <param name="title">The bar's label.</param>
    /// <param name="totalEpochs">Epoch reports expected in all: the epochs of one fit, or epochs × folds.</param>
    public EpochProgressBar(IAnsiConsole console, string title, int totalEpochs)
    {
        _console = console;
        _title = title;
        _totalEpochs = totalEpochs;
    }

    /// <summary>The last report received, or null before the first epoch ends.</summary>
    public MlpEpochReport? Last { get; private set; }

    /// <summary>Runs <paramref name="train"/> while the bar is shown, then prints one line about the last epoch.</summary>
    public T Run<T>(Func<T> train)
    {
        var watch = Stopwatch.StartNew();
        T result = _console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                _task = context.AddTask(Markup.Escape(_title), maxValue: _totalEpochs);
                try
                {
                    return train();
                }
                finally
                {
                    _task.Value = _task.MaxValue;   // early stopping ends before the last epoch
                    _task.StopTask();
                    _task = null;
                }
            });

        if (Last is { } last)
        {
            _console.MarkupLineInterpolated($"[grey]{_title}: {_reports} epochs, {watch.Elapsed.TotalSeconds:F1} s; {Describe(last)}.[/]");
        }
        return result;
    }

    /// <summary>Called by the trainer after every epoch (on the training thread).</summary>
    public void Report(MlpEpochReport value)
    {
        Last = value;
        _reports++;
        if (_task is null)
            return;
        _task.Value = Math.Min(_reports, _totalEpochs);
        // Short, so the bar keeps its room on an 80-column terminal.
        string validation = value.ValidationLoss is double v ? $" · val {v:F3}" : "";
        _task.Description = Markup.Escape($"{_title} · epoch {value.Epoch} · loss {value.TrainingLoss:F3}{validation}");
    }

    /// <summary>The last epoch's losses: "loss 0.067, validation 0.073 (accuracy 0.950)".</summary>
    private static string Describe(MlpEpochReport report)
    {
        string text = $"loss {report.TrainingLoss:F3}";
        if (report.ValidationLoss is double validationLoss)
            text += $", validation {validationLoss:F3}";
        if (report.ValidationAccuracy is double accuracy)
            text += $" (accuracy {accuracy:F3})";
        return text;
    }
}
