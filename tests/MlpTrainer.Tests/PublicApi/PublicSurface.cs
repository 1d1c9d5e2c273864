using System.Reflection;

namespace MlpTrainer.Tests.PublicApi;

/// <summary>
/// What MlpTrainer.dll exposes to a consumer, read by reflection in this test process, where the real (not the
/// build-time reference copies of) ML.NET assemblies are loaded: the public types, and their public and protected
/// members (protected ones are part of the surface of a type that can be derived from).
/// </summary>
internal static class PublicSurface
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static Assembly Library => typeof(MlpEstimator).Assembly;

    public static IReadOnlyList<Type> Types => Library.GetExportedTypes();

    /// <summary>
    /// Every public or protected member declared by a public type of the library; properties and events stand for their
    /// accessors.
    /// </summary>
    public static IEnumerable<MemberInfo> Members => Types.SelectMany(t => t.GetMembers(Declared)).Where(m => IsVisible(m) && !IsAccessor(m));

    /// <summary>The methods a member consists of: a method itself, a property's or event's accessors.</summary>
    public static IEnumerable<MethodInfo> Methods(MemberInfo member) => member switch
    {
        MethodInfo m => new[] { m },
        PropertyInfo p => p.GetAccessors(nonPublic: true),
        EventInfo e => new[] { e.AddMethod, e.RemoveMethod, e.RaiseMethod }.OfType<MethodInfo>(),
        _ => Array.Empty<MethodInfo>(),
    };

    /// <summary>The types a member's signature names: parameters, return, property, field and event types.</summary>
    public static IEnumerable<Type> SignatureTypes(MemberInfo member) => member switch
    {
        MethodInfo m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType).Concat(m.GetGenericArguments().SelectMany(a => a.GetGenericParameterConstraints())),
        ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType),
        PropertyInfo p => p.GetIndexParameters().Select(i => i.ParameterType).Append(p.PropertyType),
        FieldInfo f => new[] { f.FieldType },
        EventInfo e => new[] { e.EventHandlerType! },
        Type nested => Array.Empty<Type>(),
        _ => throw new NotSupportedException(member.MemberType.ToString()),
    };

    /// <summary>A type and every type it is built from: element types, generic arguments, generic parameters' constraints.</summary>
    public static IEnumerable<Type> Expand(Type type)
    {
        yield return type;
        if (type.HasElementType)
        {
            foreach (Type t in Expand(type.GetElementType()!))
                yield return t;
        }
        else if (type.IsGenericParameter)
        {
            foreach (Type t in type.GetGenericParameterConstraints().SelectMany(Expand))
                yield return t;
        }
        else if (type.IsConstructedGenericType)
        {
            foreach (Type t in type.GetGenericArguments().SelectMany(Expand))
                yield return t;
        }
    }

    /// <summary>True when a consumer's code can name the type: public, in public enclosing types (generic parameters count as visible).</summary>
    public static bool IsNameable(Type type)
        => type.IsGenericParameter || (type.HasElementType ? IsNameable(type.GetElementType()!) : (type.IsConstructedGenericType ? type.GetGenericTypeDefinition() : type).IsVisible);

    /// <summary>A short description for messages: the declaring type and the member.</summary>
    public static string Describe(MemberInfo member) => $"{member.DeclaringType?.Name}.{member.Name}";

    /// <summary>True for a public or protected method (what a consumer's code, or a class it derives, can call).</summary>
    public static bool IsVisible(MethodBase method) => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;

    private static bool IsAccessor(MemberInfo member)
        => member is MethodInfo { IsSpecialName: true } m && (m.Name.StartsWith("get_") || m.Name.StartsWith("set_") || m.Name.StartsWith("add_") || m.Name.StartsWith("remove_"));

    private static bool IsVisible(MemberInfo member) => member switch
    {
        MethodBase m => IsVisible(m),
        FieldInfo f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly,
        PropertyInfo p => p.GetAccessors(nonPublic: true).Any(IsVisible),
        EventInfo e => e.AddMethod is { } add && IsVisible(add),
        Type t => t.IsNestedPublic || t.IsNestedFamily || t.IsNestedFamORAssem,
        _ => false,
    };
}
