// MlpTrainer.TrainingChild: trains ResumeProblem with a checkpoint after every epoch, for the kill-and-resume test.
//
//   dotnet MlpTrainer.TrainingChild.dll --checkpoint-dir <dir> --epochs <n> --seed <s> [--epoch-delay-ms <ms>] [--resume]
//
// --epoch-delay-ms sleeps in the progress callback after each epoch (before that epoch's checkpoint is written), so
// the test has time to kill the process between checkpoints. Standard output gets "epoch <k>" after each epoch and
// "done <epochs trained>" at the end. Exit codes: 0 trained to the end, 1 training threw, 2 bad arguments.

using Microsoft.ML;
using MlpTrainer;
using MlpTrainer.Tests.TrainingControl;

string? directory = null;
int epochs = ResumeProblem.Epochs, seed = 1, delayMs = 0;
bool resume = false;
try
{
    for (int i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--checkpoint-dir": directory = args[++i]; break;
            case "--epochs": epochs = int.Parse(args[++i]); break;
            case "--seed": seed = int.Parse(args[++i]); break;
            case "--epoch-delay-ms": delayMs = int.Parse(args[++i]); break;
            case "--resume": resume = true; break;
            default: throw new ArgumentException($"unknown argument '{args[i]}'");
        }
    }
    if (directory is null)
        throw new ArgumentException("--checkpoint-dir is required");
}
catch (Exception e) when (e is ArgumentException or FormatException or IndexOutOfRangeException)
{
    Console.Error.WriteLine($"MlpTrainer.TrainingChild: {e.Message}");
    Console.Error.WriteLine("usage: MlpTrainer.TrainingChild --checkpoint-dir <dir> --epochs <n> --seed <s> [--epoch-delay-ms <ms>] [--resume]");
    return 2;
}

try
{
    var ml = new MLContext(seed: 0);
    MlpOptions options = ResumeProblem.Options(seed, epochs, directory, resume);
    options.Progress = new SlowProgress(delayMs);
    MlpModelParameters model = new MlpEstimator(ml, options).Fit(ResumeProblem.Data(ml)).Model;
    Console.WriteLine($"done {model.EpochsTrained}");
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine(e);
    return 1;
}

/// <summary>Reports each epoch on standard output, then waits: synchronous, on the training thread.</summary>
internal sealed class SlowProgress(int delayMs) : IProgress<MlpEpochReport>
{
    public void Report(MlpEpochReport value)
    {
        Console.WriteLine($"epoch {value.Epoch}");
        Console.Out.Flush();
        if (delayMs > 0)
            Thread.Sleep(delayMs);
    }
}
