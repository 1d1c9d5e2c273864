namespace System.Runtime.CompilerServices;

/// <summary>
/// Tells the runtime that this assembly may use the non-public types and members of the named assembly.
/// The runtime recognises the attribute by name; the base class library does not declare it, so the
/// assembly that uses it declares its own. Part of the ML.NET bridge (see MlNetBridge.targets).
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class IgnoresAccessChecksToAttribute : Attribute
{
    public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

    /// <summary>The simple name of the assembly whose internals this assembly uses.</summary>
    public string AssemblyName { get; }
}
