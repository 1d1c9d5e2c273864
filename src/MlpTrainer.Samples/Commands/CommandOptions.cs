using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace MlpTrainer.Samples.Commands;

/// <summary>The options several commands share, with their parsing and range checks (an invalid value is a parse error).</summary>
public static class CommandOptions
{
    public static Option<int> PositiveInt(string name, string description, int defaultValue)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
                result.AddError($"{name} must be a whole number of at least 1.");
        });
        return option;
    }

    public static Option<int> Seed() => new("--seed")
    {
        Description = "Seed of the data split, the weight initialisation and the shuffling (same seed, same result)",
        DefaultValueFactory = _ => 0,
    };

    /// <summary><c>--onnx path</c>: also export the trained model to ONNX there. No default: absent, nothing is exported.</summary>
    public static Option<string?> Onnx() => new("--onnx")
    {
        Description = "Also export the trained model to an ONNX file (opset 17) that ONNX Runtime can score",
        HelpName = "path",
    };

    /// <summary>
    /// An option of hidden layer sizes written as a comma list, e.g. <c>--hidden 64,32</c>. It has no default of its own
    /// (the help would print an array badly): the description states it and the command applies it when the value is empty,
    /// which is how an absent array option reads.
    /// </summary>
    public static Option<int[]?> HiddenLayers(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "sizes",
        CustomParser = result => ParseSizes(result, result.Tokens.Single().Value),
    };

    /// <summary>An option of several hidden layer layouts, e.g. <c>--candidates 16 32 16,16</c>; no default of its own, as above (absent, it reads as empty).</summary>
    public static Option<int[][]?> HiddenLayerCandidates(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "sizes",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = true,
        CustomParser = result => result.Tokens.Select(token => ParseSizes(result, token.Value) ?? Array.Empty<int>()).ToArray(),
    };

    /// <summary>An option that takes one of <paramref name="values"/> (any case); the help lists them.</summary>
    public static Option<string> OneOf(string name, string description, string defaultValue, params string[] values)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, values);
        return option;
    }

    /// <summary>Writes hidden layer sizes as the options take them: <c>64,32</c>.</summary>
    public static string FormatSizes(IEnumerable<int> sizes) => string.Join(",", sizes);

    private static int[]? ParseSizes(ArgumentResult result, string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
            {
                result.AddError($"'{text}' is not a list of hidden layer sizes: write whole numbers of at least 1 separated by commas, e.g. 64,32.");
                return null;
            }
        }
        return sizes;
    }
}
