using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MlpTrainer;

/// <summary>
/// Refuses, with a message naming the supported range, to run against ML.NET assemblies of a version the bridge was not
/// built for. MlpTrainer uses ML.NET internals (see MlNetBridge.targets), which can change in any release: against
/// another version it would fail deep inside with a MissingMethodException or TypeLoadException. The package's
/// dependency on Microsoft.ML is bounded to the same range, but NuGet lets a consumer's other packages pull a later
/// ML.NET with only a warning, so the entry points (the catalog methods, the estimators' constructors, model loading and
/// ONNX export) call <see cref="ThrowIfUnsupported()"/> before anything that touches an internal.
/// </summary>
internal static class MlNetVersionCheck
{
    private const string MinimumKey = "MlpTrainer.MlNetMinimumVersion";
    private const string LimitKey = "MlpTrainer.MlNetVersionLimit";

    private static readonly Lazy<string?> LoadedProblem = new(() => Problem(LoadedAssemblies()));
    private static volatile Lazy<string?> _verdict = LoadedProblem;

    /// <summary>The oldest supported ML.NET version (from Directory.Build.props, compiled into the assembly's metadata).</summary>
    public static Version Minimum { get; } = ReadVersion(MinimumKey);

    /// <summary>The first ML.NET version no longer supported.</summary>
    public static Version Limit { get; } = ReadVersion(LimitKey);

    /// <summary>The supported versions as a NuGet range, the same the package declares for Microsoft.ML.</summary>
    public static string Range => $"[{Minimum}, {Limit})";

    /// <summary>Throws when an ML.NET assembly MlpTrainer uses the internals of is outside the supported range; checks once per process.</summary>
    /// <exception cref="InvalidOperationException">The loaded ML.NET is not supported; the message names its version and the range.</exception>
    public static void ThrowIfUnsupported()
    {
        if (_verdict.Value is string problem)
            throw new InvalidOperationException(problem);
    }

    /// <summary>
    /// For tests of the entry points: until the result is disposed, <see cref="ThrowIfUnsupported()"/> judges
    /// <paramref name="loaded"/> instead of the assemblies loaded in this process.
    /// </summary>
    internal static IDisposable Simulate(IEnumerable<(string Assembly, string? Version)> loaded)
    {
        _verdict = new Lazy<string?>(Problem(loaded));
        return new Restore();
    }

    /// <summary>Throws when one of <paramref name="loaded"/> (assembly name, informational version) is outside the supported range.</summary>
    /// <exception cref="InvalidOperationException">The message names each unsupported assembly and version and the range.</exception>
    public static void ThrowIfUnsupported(IEnumerable<(string Assembly, string? Version)> loaded)
    {
        if (Problem(loaded) is string problem)
            throw new InvalidOperationException(problem);
    }

    /// <summary>The ML.NET assemblies whose internals MlpTrainer uses, with the informational version of each as loaded.</summary>
    public static IEnumerable<(string Assembly, string? Version)> LoadedAssemblies()
        => new[] { typeof(IHostEnvironment).Assembly, typeof(MLContext).Assembly, typeof(StandardTrainersCatalog).Assembly }
            .Select(a => (a.GetName().Name!, a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion));

    private static string? Problem(IEnumerable<(string Assembly, string? Version)> loaded)
    {
        string[] unsupported = loaded
            .Where(a => ParseVersion(a.Version) is not Version v || v < Minimum || v >= Limit)
            .Select(a => $"{a.Assembly} {(string.IsNullOrEmpty(a.Version) ? "(of unknown version)" : a.Version.Split('+')[0])}")
            .ToArray();
        if (unsupported.Length == 0)
            return null;
        string ours = typeof(MlNetVersionCheck).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "";
        return $"MlpTrainer {ours} supports ML.NET {Range}, that is {Minimum} up to but not including {Limit}, and {string.Join(" and ", unsupported)} " +
               $"{(unsupported.Length == 1 ? "is" : "are")} loaded. MlpTrainer uses ML.NET internals that change between releases, so it cannot run " +
               $"with another version: reference Microsoft.ML {Minimum} (or a later version below {Limit}), or an MlpTrainer release built for your ML.NET.";
    }

    /// <summary>The release part of an informational version such as "5.0.1+a4f730ec" or "5.1.0-preview.1", or null.</summary>
    private static Version? ParseVersion(string? informational)
    {
        string? release = informational?.Split('+', '-')[0];
        return Version.TryParse(release, out Version? version) ? version : null;
    }

    private sealed class Restore : IDisposable
    {
        public void Dispose() => _verdict = LoadedProblem;
    }

    private static Version ReadVersion(string key)
    {
        string? value = typeof(MlNetVersionCheck).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
        return Version.TryParse(value, out Version? version)
            ? version
            : throw new InvalidOperationException($"MlpTrainer was built without a valid {key} assembly metadata value (found '{value}'); see Directory.Build.props.");
    }
}
