namespace MlpTrainer.Samples;

/// <summary>Parses the command line and runs the chosen sample.</summary>
public static class SampleCommand
{
    public const string Usage = """
        Usage:
          dotnet run --project src/MlpTrainer.Samples                      main sample: Iris (ships with the program)
          dotnet run --project src/MlpTrainer.Samples -- fashion-mnist [--train-rows N] [--epochs N] [--seed N]
                                                                          real Fashion-MNIST (apt-get install dataset-fashion-mnist)
          dotnet run --project src/MlpTrainer.Samples -- --help           this text
        """;

    public static int Run(string[] args, TextWriter output)
    {
        switch (args)
        {
            case []:
                return IrisSample.Run(output);
            case ["--help" or "-h"]:
                output.WriteLine(Usage);
                return 0;
            case ["fashion-mnist", .. var rest]:
                var values = ParseOptions(rest, output, "--train-rows", "--epochs", "--seed");
                if (values is null)
                    return 1;
                return FashionMnistSample.Run(
                    trainRows: values.GetValueOrDefault("--train-rows", 60_000),
                    epochs: values.GetValueOrDefault("--epochs", 20),
                    seed: values.GetValueOrDefault("--seed", 0),
                    output);
            default:
                output.WriteLine($"Unknown arguments: {string.Join(' ', args)}");
                output.WriteLine(Usage);
                return 1;
        }
    }

    private static Dictionary<string, int>? ParseOptions(string[] args, TextWriter output, params string[] known)
    {
        var values = new Dictionary<string, int>();
        for (int i = 0; i < args.Length; i += 2)
        {
            if (!known.Contains(args[i]))
            {
                output.WriteLine($"Unknown option '{args[i]}'. Options: {string.Join(", ", known)}.");
                return null;
            }
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], out int value) || value < 1 && args[i] != "--seed")
            {
                output.WriteLine($"Option '{args[i]}' needs a positive whole number.");
                return null;
            }
            values[args[i]] = value;
        }
        return values;
    }
}
