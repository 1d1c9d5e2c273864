using Mono.Cecil;

// Usage: Publicizer <output-directory> <friend-assembly-name> <assembly.dll> [<assembly.dll> ...]
// Writes each assembly to the output directory as a compile-time reference for the friend assembly: the friend is
// declared in an InternalsVisibleTo attribute, and members are widened as AccessWidener says, so C# can compile
// against ML.NET's internal API while the friend's public API can only name what is public in the real assemblies.
// The runtime is told to allow the access by the IgnoresAccessChecksTo attributes that the friend declares.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: Publicizer <output-directory> <friend-assembly-name> <assembly.dll> [<assembly.dll> ...]");
    return 2;
}

string outputDirectory = args[0];
string friend = args[1];
Directory.CreateDirectory(outputDirectory);
foreach (string input in args.Skip(2))
{
    if (!File.Exists(input))
    {
        Console.Error.WriteLine($"Publicizer: assembly '{input}' does not exist.");
        return 1;
    }

    var resolver = new DefaultAssemblyResolver();
    resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(input))!);
    using var assembly = AssemblyDefinition.ReadAssembly(input, new ReaderParameters { AssemblyResolver = resolver });
    FriendGrant.Add(assembly, friend);
    int changed = 0;
    foreach (TypeDefinition type in assembly.MainModule.GetTypes())
        changed += AccessWidener.Open(type);

    string output = Path.Combine(outputDirectory, Path.GetFileName(input));
    assembly.Write(output);
    Console.WriteLine($"Publicizer: {Path.GetFileName(input)}: friend '{friend}', {changed} members widened -> {output}");
}
return 0;
