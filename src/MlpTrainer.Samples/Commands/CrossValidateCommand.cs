using System.CommandLine;
using MlpTrainer.Samples.Samples;
using Spectre.Console;

namespace MlpTrainer.Samples.Commands;

/// <summary><c>cross-validate</c>: choose the hidden layer sizes by k-fold cross-validation on the Iris table.</summary>
public static class CrossValidateCommand
{
    public static Command Create(IAnsiConsole console, IAnsiConsole errors)
    {
        Option<int[][]?> candidates = CommandOptions.HiddenLayerCandidates("--candidates",
            "Hidden layer layouts to compare, each a comma list [default: 4 16 64 16,16 64,32]");
        Option<int> folds = CommandOptions.PositiveInt("--folds", "Number of folds k (at least 2)", 5);
        folds.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() == 1)
                result.AddError("--folds must be at least 2.");
        });
        Option<int> epochs = CommandOptions.PositiveInt("--epochs", "Epochs of each fit", 100);
        Option<int> seed = CommandOptions.Seed();

        var command = new Command("cross-validate",
            "Choose the hidden layer sizes by k-fold cross-validation on the Iris table: mean ± sd accuracy per candidate, and the winner")
        {
            candidates, folds, epochs, seed,
        };
        command.SetAction(parsed => SampleCli.Guarded(errors, () => CrossValidationSample.Run(console, new CrossValidationSettings(
            parsed.GetValue(candidates) is { Length: > 0 } given ? given : CrossValidationSample.DefaultCandidates, parsed.GetValue(folds), parsed.GetValue(epochs), parsed.GetValue(seed)))));
        return command;
    }
}
