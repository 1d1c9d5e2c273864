using Spectre.Console;

namespace MlpTrainer.Samples.Tests.Support;

/// <summary>
/// A Spectre.Console console that writes plain text (no ANSI codes, no colors, not interactive) into a string, at a fixed
/// width, so a test sees what a user would read in a log.
/// </summary>
public sealed class RecordingConsole
{
    private readonly StringWriter _writer = new();

    public RecordingConsole(int width = 120)
    {
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(_writer),
        });
        Console.Profile.Width = width;
    }

    public IAnsiConsole Console { get; }

    public string Text => _writer.ToString();
}
