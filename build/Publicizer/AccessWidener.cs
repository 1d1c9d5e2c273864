using Mono.Cecil;

/// <summary>
/// Opens one type of a reference copy to the friend assembly without changing the accessibility it has in the real
/// assembly wherever that accessibility shapes the friend's own API:
/// <list type="bullet">
/// <item>Types keep their accessibility (the friend reaches internal ones through InternalsVisibleTo), so the C#
/// compiler still refuses an internal ML.NET type in a public or protected signature of the friend. Private nested
/// types become internal, which only the friend sees.</item>
/// <item>Virtual, abstract and override methods (and so virtual properties) keep their accessibility, so the friend
/// overrides a <c>private protected</c> member as <c>private protected</c> and a <c>public</c> one as
/// <c>public</c>: the override is exactly as visible as the member it overrides is in the real assembly.</item>
/// <item>Every other method (constructors included) and field becomes public: calling or reading them adds nothing
/// to the friend's API.</item>
/// </list>
/// </summary>
internal static class AccessWidener
{
    /// <summary>Widens what the rules above allow in <paramref name="type"/>; returns how many items changed.</summary>
    public static int Open(TypeDefinition type)
    {
        int changed = 0;
        if (type.IsNestedPrivate)
        {
            type.IsNestedAssembly = true;
            changed++;
        }

        foreach (MethodDefinition method in type.Methods)
        {
            if (method.IsPublic || method.IsVirtual) continue;
            method.IsPublic = true;
            changed++;
        }

        // Event backing fields share the event's name; a public field beside the event would make
        // every use of the event ambiguous for the C# compiler, so those stay as they are.
        var eventNames = new HashSet<string>(type.Events.Select(e => e.Name));
        foreach (FieldDefinition field in type.Fields)
        {
            if (field.IsPublic || eventNames.Contains(field.Name) || IsCompilerGenerated(field)) continue;
            field.IsPublic = true;
            changed++;
        }
        return changed;
    }

    private static bool IsCompilerGenerated(FieldDefinition field)
        => field.Name.Contains('<') || field.CustomAttributes.Any(a =>
            a.AttributeType.FullName == "System.Runtime.CompilerServices.CompilerGeneratedAttribute");
}
