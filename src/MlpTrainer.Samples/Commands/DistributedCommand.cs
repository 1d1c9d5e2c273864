using System.CommandLine;
using MlpTrainer.Samples.Data;
using MlpTrainer.Samples.Samples;
using Spectre.Console;

namespace MlpTrainer.Samples.Commands;

/// <summary><c>distributed</c>: data-parallel training on Fashion-MNIST, one process per worker under <c>mpiexec</c>.</summary>
public static class DistributedCommand
{
    public static Command Create(IAnsiConsole console, IAnsiConsole errors)
    {
        Option<int> epochs = CommandOptions.PositiveInt("--epochs", "Passes over the training images", DistributedSample.DefaultEpochs);
        Option<int> trainRows = CommandOptions.PositiveInt("--train-rows", "Use only the first N of the 60,000 training images", 60_000);
        Option<int> threads = CommandOptions.PositiveInt("--threads", "Threads for each worker's matrix products", 1);
        Option<int> seed = CommandOptions.Seed();
        var checkpointDirectory = new Option<string?>("--checkpoint-dir")
        {
            Description = "Worker 0 writes a checkpoint there after every epoch (a folder every worker can read, to resume)",
            HelpName = "folder",
        };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in --checkpoint-dir, if there is one" };
        var model = new Option<string>("--model")
        {
            Description = "Where worker 0 saves the trained pipeline",
            HelpName = "path",
            DefaultValueFactory = _ => "fashion-mnist-distributed.zip",
        };
        var dataDirectory = new Option<string>("--data-dir")
        {
            Description = "The folder with the gzipped IDX files (apt-get install dataset-fashion-mnist)",
            HelpName = "folder",
            DefaultValueFactory = _ => FashionMnist.DefaultDirectory,
        };

        var command = new Command("distributed",
            "Data-parallel training of 784-256-128-10 on Fashion-MNIST across MPI processes: mpiexec -n N dotnet MlpTrainer.Samples.dll distributed")
        {
            epochs, trainRows, threads, seed, checkpointDirectory, resume, model, dataDirectory,
        };
        command.SetAction(parsed =>
        {
            if (parsed.GetValue(resume) && parsed.GetValue(checkpointDirectory) is null)
                return SampleCli.Guarded(errors, () => throw new UsageException("--resume needs --checkpoint-dir, the folder of the checkpoint to continue from."));
            return SampleCli.Guarded(errors, () => DistributedSample.Run(console.Profile.Out.Writer, new DistributedSettings(
                Epochs: parsed.GetValue(epochs),
                TrainRows: parsed.GetValue(trainRows),
                Seed: parsed.GetValue(seed),
                Threads: parsed.GetValue(threads),
                CheckpointDirectory: parsed.GetValue(checkpointDirectory),
                Resume: parsed.GetValue(resume),
                ModelPath: parsed.GetRequiredValue(model),
                DataDirectory: parsed.GetRequiredValue(dataDirectory))));
        });
        return command;
    }
}
