using System.Text;
using System.Text.RegularExpressions;

namespace MlpTrainer.Package.Tests.Readme;

/// <summary>
/// One <c>```csharp</c> block of a Markdown file, and how ReadmeSnippetTests compiles it: a block that declares a type at
/// the start of a line is a complete program (top-level statements, then the types) and becomes the app's Program.cs;
/// any other block is a fragment, compiled as the body of a method of the Scaffold's <c>Snippets</c> class, with its
/// leading <c>using</c> directives moved to the top of its file. <c>#line</c> directives make compiler errors point at
/// the Markdown file's own lines.
/// </summary>
public sealed record MarkdownSnippet(string File, int Line, string Code)
{
    private static readonly Regex TypeDeclaration = new(@"^(public |internal )?(sealed |static |abstract )?(partial )?(class|record|struct|interface|enum) ", RegexOptions.Multiline);
    private static readonly Regex UsingDirective = new(@"^using (static )?[\w.]+( = [\w.<>]+)?;\s*$");

    /// <summary>Every C# block of the Markdown file at <paramref name="path"/>, with the line its code starts on.</summary>
    public static IReadOnlyList<MarkdownSnippet> Read(string path)
    {
        string[] lines = System.IO.File.ReadAllLines(path);
        var snippets = new List<MarkdownSnippet>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp")
                continue;
            int start = i + 1, end = start;
            while (end < lines.Length && lines[end].Trim() != "```")
                end++;
            snippets.Add(new MarkdownSnippet(path, start + 1, string.Join("\n", lines[start..end])));
            i = end;
        }
        return snippets;
    }

    /// <summary>True for a complete program: it declares a type.</summary>
    public bool IsProgram => TypeDeclaration.IsMatch(Code);

    /// <summary>A name for the generated file and method, e.g. README_md_123.</summary>
    public string Name => Regex.Replace(Path.GetFileName(File), @"\W", "_") + "_" + Line;

    /// <summary>The C# file a program block becomes: the block itself, its lines mapped to the Markdown file.</summary>
    public string AsProgram() => $"#line {Line} \"{File}\"\n{Code}\n";

    /// <summary>The C# file a fragment becomes: its using directives, then a method of <c>Snippets</c> holding the rest.</summary>
    public string AsFragment()
    {
        string[] lines = Code.Split('\n');
        int usings = 0;
        while (usings < lines.Length && (UsingDirective.IsMatch(lines[usings]) || (usings > 0 && lines[usings].Trim().Length == 0 && UsingDirective.IsMatch(lines[usings - 1]))))
            usings++;
        var file = new StringBuilder();
        for (int i = 0; i < usings; i++)
        {
            if (lines[i].Trim().Length > 0)
                file.Append($"#line {Line + i} \"{File}\"\n{lines[i]}\n");
        }
        file.Append("#line default\n");
        file.Append($"internal sealed partial class Snippets\n{{\n    private void {Name}()\n    {{\n");
        file.Append($"#line {Line + usings} \"{File}\"\n");
        file.Append(string.Join("\n", lines[usings..]));
        file.Append("\n#line default\n    }\n}\n");
        return file.ToString();
    }
}
