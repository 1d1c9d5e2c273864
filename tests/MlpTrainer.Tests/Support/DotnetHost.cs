namespace MlpTrainer.Tests.Support;

/// <summary>
/// The dotnet host running these tests, so a child process (a repository program, an MPI job, a nested build) gets the
/// same SDK and runtime: the SDK's <c>DOTNET_HOST_PATH</c>, else this process when it is dotnet, else dotnet on the
/// path. Linked into every test project that starts one.
/// </summary>
internal static class DotnetHost
{
    public static string Path
    {
        get
        {
            string? fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
                return fromSdk;
            string? current = Environment.ProcessPath;
            return current != null && System.IO.Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
        }
    }
}
