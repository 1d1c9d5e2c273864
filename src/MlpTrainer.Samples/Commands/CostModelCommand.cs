using System.CommandLine;
using MlpTrainer.Samples.Samples;
using Spectre.Console;

namespace MlpTrainer.Samples.Commands;

/// <summary><c>cost-model</c>: predicted epoch time and speed-up of data-parallel training on 1 to 64 machines.</summary>
public static class CostModelCommand
{
    public static Command Create(IAnsiConsole console, IAnsiConsole errors)
    {
        var fixedStep = new Option<double?>("--step-fixed-ms") { Description = "The fixed cost of a step in ms (with --row-us; measured on this machine when absent)" };
        var row = new Option<double?>("--row-us") { Description = "The forward and backward cost of one row in µs (with --step-fixed-ms)" };
        var latency = new Option<double>("--latency-us") { Description = "One message's network latency in µs", DefaultValueFactory = _ => 20 };
        var command = new Command("cost-model",
            "Predict the epoch time and speed-up of data-parallel training of 784-256-128-10 on 1-64 machines at 10, 25 and 100 Gb/s (ring all-reduce)")
        {
            fixedStep, row, latency,
        };
        command.SetAction(parsed =>
        {
            double? f = parsed.GetValue(fixedStep), r = parsed.GetValue(row);
            if ((f is null) != (r is null) || f < 0 || r < 0 || parsed.GetValue(latency) < 0)
                return SampleCli.Guarded(errors, () => throw new UsageException("Give both --step-fixed-ms and --row-us (0 or more), or neither to measure them."));
            return SampleCli.Guarded(errors, () => CostModelSample.Run(console.Profile.Out.Writer, f, r, parsed.GetValue(latency)));
        });
        return command;
    }
}
