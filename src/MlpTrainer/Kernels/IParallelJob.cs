namespace MlpTrainer.Kernels;

/// <summary>
/// Work that <see cref="GemmEngine.RunParallel"/> splits over the engine's threads: <see cref="Run"/> is called once for
/// every part, part 0 on the calling thread. A job decides itself which elements a part owns, so it can keep results
/// independent of the number of parts. Implementations must not allocate, to keep training allocation-free.
/// </summary>
internal interface IParallelJob
{
    void Run(int part, int parts);
}
