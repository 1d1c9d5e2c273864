using System.CommandLine;
using MlpTrainer.Samples.Data;
using MlpTrainer.Samples.Samples;
using Spectre.Console;

namespace MlpTrainer.Samples.Commands;

/// <summary><c>csv</c>: train, evaluate and save an MLP on any CSV file.</summary>
public static class CsvCommand
{
    public static Command Create(IAnsiConsole console, IAnsiConsole errors)
    {
        var file = new Argument<string>("file") { Description = "A comma-separated file with a header row" };
        var label = new Option<string>("--label")
        {
            Description = "The column to predict",
            HelpName = "column",
            Required = true,
        };
        Option<string> task = CommandOptions.OneOf("--task",
            "multiclass: classes of any type; binary: true/false, or a column with exactly two values (the one that sorts " +
            "second becomes true); regression: numbers", "multiclass", "multiclass", "binary", "regression");
        Option<int> epochs = CommandOptions.PositiveInt("--epochs", "At most this many epochs (early stopping may end sooner)", 100);
        Option<int[]?> hidden = CommandOptions.HiddenLayers("--hidden", "Units per hidden layer, input side first [default: 64,32]");
        var model = new Option<string>("--model")
        {
            Description = "Where to save the trained pipeline",
            HelpName = "path",
            DefaultValueFactory = _ => "model.zip",
        };
        Option<int> seed = CommandOptions.Seed();

        var command = new Command("csv",
            "Train on any CSV file: the other columns become features (numbers; text one-hot), 20% of the rows are held out to evaluate, the model is saved")
        {
            file, label, task, epochs, hidden, model, seed,
        };
        command.SetAction(parsed => SampleCli.Guarded(errors, () => CsvSample.Run(console, new CsvSettings(
            Path: parsed.GetRequiredValue(file),
            Label: parsed.GetRequiredValue(label),
            Task: Enum.Parse<CsvTask>(parsed.GetRequiredValue(task), ignoreCase: true),
            Epochs: parsed.GetValue(epochs),
            HiddenLayers: parsed.GetValue(hidden) is { Length: > 0 } given ? given : new[] { 64, 32 }, // absent, the option reads as empty
            ModelPath: parsed.GetRequiredValue(model),
            Seed: parsed.GetValue(seed)))));
        return command;
    }
}
