using Mono.Cecil;

// Usage: Publicizer <output-directory> <assembly.dll> [<assembly.dll> ...]
// Writes each assembly to the output directory with every type, method and field made public,
// so that C# can compile against ML.NET's internal API. The runtime is told to allow the access
// by the IgnoresAccessChecksTo attributes that MlpTrainer declares.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Publicizer <output-directory> <assembly.dll> [<assembly.dll> ...]");
    return 2;
}

string outputDirectory = args[0];
Directory.CreateDirectory(outputDirectory);
foreach (string input in args.Skip(1))
{
    if (!File.Exists(input))
    {
        Console.Error.WriteLine($"Publicizer: assembly '{input}' does not exist.");
        return 1;
    }

    var resolver = new DefaultAssemblyResolver();
    resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(input))!);
    using var assembly = AssemblyDefinition.ReadAssembly(input, new ReaderParameters { AssemblyResolver = resolver });
    int changed = 0;
    foreach (TypeDefinition type in assembly.MainModule.GetTypes())
        changed += AccessWidener.MakePublic(type);

    string output = Path.Combine(outputDirectory, Path.GetFileName(input));
    assembly.Write(output);
    Console.WriteLine($"Publicizer: {Path.GetFileName(input)}: {changed} members made public -> {output}");
}
return 0;
