using MlpTrainer.Samples.Commands;
using Spectre.Console;

// Samples for MlpTrainer. Without arguments: the main sample on the Iris table that ships with this program.
// `--help` lists the other samples: fashion-mnist, csv, cross-validate and distributed (under mpiexec).
IAnsiConsole errors = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
return SampleCli.Run(args, AnsiConsole.Console, errors);
