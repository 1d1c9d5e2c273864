using System.Reflection;

namespace MlpTrainer.Tests.PublicApi;

/// <summary>
/// MlpTrainer compiles against reference copies of ML.NET that open its internals to it (see
/// src/MlpTrainer/MlNet/MlNetBridge.targets). These tests read the built library against the real ML.NET assemblies
/// and check that none of that reaches a consumer: the public surface names only what ML.NET itself makes public.
/// </summary>
public sealed class PublicSurfaceTests
{
    [Fact]
    public void Public_and_protected_signatures_name_only_types_a_consumer_can_name()
    {
        string[] leaks = PublicSurface.Members
            .SelectMany(m => PublicSurface.SignatureTypes(m).SelectMany(PublicSurface.Expand).Where(t => !PublicSurface.IsNameable(t))
                .Select(t => $"{PublicSurface.Describe(m)} names {t.FullName ?? t.Name} ({t.Assembly.GetName().Name})"))
            .Distinct()
            .ToArray();

        Assert.True(leaks.Length == 0, "Non-public types in MlpTrainer's public surface:\n" + string.Join("\n", leaks));
    }

    [Fact]
    public void No_public_or_protected_member_overrides_a_member_that_is_not_public_or_protected_in_MlNet()
    {
        string[] widened = PublicSurface.Members.SelectMany(PublicSurface.Methods)
            .Where(PublicSurface.IsVisible)
            .Select(m => (Method: m, Base: m.GetBaseDefinition()))
            .Where(p => p.Base.DeclaringType!.Assembly != PublicSurface.Library && !PublicSurface.IsVisible(p.Base))
            .Select(p => $"{PublicSurface.Describe(p.Method)} overrides {p.Base.DeclaringType!.Name}.{p.Base.Name}, which ML.NET declares {Accessibility(p.Base)}")
            .ToArray();

        Assert.True(widened.Length == 0, "Members made more visible than ML.NET makes them:\n" + string.Join("\n", widened));
    }

    [Fact]
    public void Public_types_derive_only_from_types_a_consumer_can_name()
    {
        string[] hidden = PublicSurface.Types
            .Where(t => t.BaseType is { } b && !PublicSurface.Expand(b).All(PublicSurface.IsNameable))
            .Select(t => $"{t.Name} derives from {t.BaseType}")
            .ToArray();

        Assert.True(hidden.Length == 0, string.Join("\n", hidden));
    }

    [Fact]
    public void The_surface_read_holds_the_estimators_the_models_the_catalog_and_the_options()
    {
        Type[] expected = { typeof(MlpEstimator), typeof(MlpBinaryEstimator), typeof(MlpRegressionEstimator), typeof(MlpModelParameters), typeof(MlpCatalog), typeof(MlpOptions) };

        Assert.All(expected, t => Assert.Contains(t, PublicSurface.Types));
        Assert.Contains(PublicSurface.Members, m => m.DeclaringType == typeof(MlpModelParametersBase<float>).GetGenericTypeDefinition() && m.Name == "PredictBatch");
    }

    private static string Accessibility(MethodInfo m)
        => m.IsFamilyAndAssembly ? "private protected" : m.IsAssembly ? "internal" : m.IsPrivate ? "private" : m.Attributes.ToString();
}
