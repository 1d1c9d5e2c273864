using Mono.Cecil;

/// <summary>Declares another assembly a friend of an assembly: <c>[assembly: InternalsVisibleTo(friend)]</c>.</summary>
internal static class FriendGrant
{
    private const string AttributeName = "System.Runtime.CompilerServices.InternalsVisibleToAttribute";

    /// <summary>
    /// Adds the attribute for <paramref name="friend"/> (a simple name: the friend is not strong-named), built on the
    /// constructor of an InternalsVisibleTo the assembly already declares, so that no new reference is needed.
    /// </summary>
    /// <exception cref="InvalidOperationException">The assembly declares no InternalsVisibleTo to copy.</exception>
    public static void Add(AssemblyDefinition assembly, string friend)
    {
        CustomAttribute template = assembly.CustomAttributes.FirstOrDefault(a => a.AttributeType.FullName == AttributeName)
            ?? throw new InvalidOperationException($"{assembly.Name.Name} declares no InternalsVisibleTo attribute to copy for '{friend}'.");
        var grant = new CustomAttribute(template.Constructor);
        grant.ConstructorArguments.Add(new CustomAttributeArgument(template.ConstructorArguments[0].Type, friend));
        assembly.CustomAttributes.Add(grant);
    }
}
