using MlpTrainer.Mpi.Native;

namespace MlpTrainer.Mpi.Tests.Jobs;

/// <summary>Finding the MPI library: MLPTRAINER_MPI_LIBRARY, else MPICH's libmpich.so.12, else an error saying what to do.</summary>
public sealed class MpiLibraryTests
{
    [Fact]
    public void ALibraryThatDoesNotLoadIsAnErrorNamingTheVariableAndMpich()
    {
        var error = Assert.Throws<DllNotFoundException>(() => MpiLibrary.Load("/nonexistent/libmpi.so.12"));

        Assert.Contains("'/nonexistent/libmpi.so.12' named by MLPTRAINER_MPI_LIBRARY", error.Message);
        Assert.Contains("apt-get install mpich", error.Message);
    }

    [Fact]
    public void ALibraryWithoutMpiIsRefusedAsNotAnMpiLibrary()
    {
        var error = Assert.Throws<DllNotFoundException>(() => MpiLibrary.Load("libc.so.6"));

        Assert.Contains("not an MPI library", error.Message);
    }

    [Fact]
    public void WithoutTheVariableMpichsLibraryIsLoaded()
    {
        (nint handle, string name) = MpiLibrary.Load(null);

        Assert.NotEqual(0, handle);
        Assert.Equal("libmpich.so.12", name);
    }

}
