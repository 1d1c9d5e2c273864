using System.CommandLine;
using MlpTrainer.Samples.Data;
using MlpTrainer.Samples.Samples;
using Spectre.Console;

namespace MlpTrainer.Samples.Commands;

/// <summary><c>fashion-mnist</c>: the recommended recipe on the real Fashion-MNIST images.</summary>
public static class FashionMnistCommand
{
    public static Command Create(IAnsiConsole console, IAnsiConsole errors)
    {
        Option<int> epochs = CommandOptions.PositiveInt("--epochs", "Passes over the training images", FashionMnistSample.DefaultEpochs);
        Option<int> trainRows = CommandOptions.PositiveInt("--train-rows", "Use only the first N of the 60,000 training images", 60_000);
        Option<int> seed = CommandOptions.Seed();
        var plot = new Option<string>("--plot")
        {
            Description = "Where to write the PNG chart of the training and validation loss",
            HelpName = "path",
            DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "mlptrainer-fashion-mnist-loss.png"),
        };
        var dataDirectory = new Option<string>("--data-dir")
        {
            Description = "The folder with the gzipped IDX files (apt-get install dataset-fashion-mnist)",
            HelpName = "folder",
            DefaultValueFactory = _ => FashionMnist.DefaultDirectory,
        };

        Option<string?> onnx = CommandOptions.Onnx();

        var command = new Command("fashion-mnist",
            "Train 784-256-128-10 on the real Fashion-MNIST (60,000 images), report test accuracy, save a PNG of the loss curves")
        {
            epochs, trainRows, seed, plot, dataDirectory, onnx,
        };
        command.SetAction(parsed => SampleCli.Guarded(errors, () => FashionMnistSample.Run(console, new FashionMnistSettings(
            Epochs: parsed.GetValue(epochs),
            TrainRows: parsed.GetValue(trainRows),
            Seed: parsed.GetValue(seed),
            PlotPath: parsed.GetRequiredValue(plot),
            DataDirectory: parsed.GetRequiredValue(dataDirectory),
            OnnxPath: parsed.GetValue(onnx)))));
        return command;
    }
}
