using Mono.Cecil;

/// <summary>Widens the accessibility of one type and its members to public.</summary>
internal static class AccessWidener
{
    /// <summary>Makes the type, its methods and its fields public; returns how many items changed.</summary>
    public static int MakePublic(TypeDefinition type)
    {
        int changed = 0;
        if (type.IsNested ? !type.IsNestedPublic : !type.IsPublic)
        {
            if (type.IsNested) type.IsNestedPublic = true; else type.IsPublic = true;
            changed++;
        }

        foreach (MethodDefinition method in type.Methods)
        {
            if (method.IsPublic) continue;
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
