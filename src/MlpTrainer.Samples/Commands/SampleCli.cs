using System.CommandLine;
using System.Globalization;
using MlpTrainer.Samples.Samples;
using Spectre.Console;

namespace MlpTrainer.Samples.Commands;

/// <summary>
/// The command line of the samples program. Without a command it runs the main sample on the Iris table; the commands
/// <c>fashion-mnist</c>, <c>csv</c>, <c>cross-validate</c> and <c>distributed</c> (under <c>mpiexec</c>) run the others; <c>--help</c> lists everything.
/// Output goes to <paramref name="console"/>, one-line errors to <paramref name="errors"/>, so tests can record both.
/// </summary>
public static class SampleCli
{
    /// <summary>Parses <paramref name="args"/>, runs the chosen sample and returns the exit code (0 on success).</summary>
    public static int Run(string[] args, IAnsiConsole console, IAnsiConsole errors)
    {
        // Numbers are printed and CSV files read the same way on every machine.
        CultureInfo previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            RootCommand root = CreateRootCommand(console, errors);
            return root.Parse(args).Invoke(new InvocationConfiguration
            {
                Output = console.Profile.Out.Writer,
                Error = errors.Profile.Out.Writer,
            });
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    private static RootCommand CreateRootCommand(IAnsiConsole console, IAnsiConsole errors)
    {
        var model = new Option<string>("--model")
        {
            Description = "Where the main sample saves its model",
            HelpName = "path",
            DefaultValueFactory = _ => "iris-model.zip",
        };
        Option<int> seed = CommandOptions.Seed();
        Option<string?> onnx = CommandOptions.Onnx();

        var root = new RootCommand(
            "Samples for MlpTrainer, the multilayer-perceptron trainer for ML.NET. Without a command: the main sample " +
            "trains an MLP on the Iris table that ships with this program, evaluates it, saves it, loads it back and predicts.")
        {
            model,
            seed,
            onnx,
            FashionMnistCommand.Create(console, errors),
            CsvCommand.Create(console, errors),
            CrossValidateCommand.Create(console, errors),
            DistributedCommand.Create(console, errors),
            CostModelCommand.Create(console, errors),
        };
        root.SetAction(parsed => Guarded(errors, () => IrisSample.Run(console, parsed.GetRequiredValue(model), parsed.GetValue(seed), parsed.GetValue(onnx))));
        return root;
    }

    /// <summary>Runs a sample; a <see cref="UsageException"/> becomes one line on <paramref name="errors"/> and exit code 1.</summary>
    internal static int Guarded(IAnsiConsole errors, Func<int> run)
    {
        try
        {
            return run();
        }
        catch (UsageException e)
        {
            errors.Markup("[red]error:[/] ");
            errors.Profile.Out.Writer.WriteLine(e.Message);   // unwrapped: one line whatever the width
            errors.Profile.Out.Writer.Flush();
            return 1;
        }
    }
}
