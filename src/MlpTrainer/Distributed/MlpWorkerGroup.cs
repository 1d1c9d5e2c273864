namespace MlpTrainer;

/// <summary>
/// The processes (workers) that train one model together, data-parallel: set <see cref="MlpOptions.Workers"/> to this
/// worker's member of the group on every worker, fit the same pipeline on the same data with the same options, and each
/// worker trains on its share of every minibatch; the gradients are summed across workers before one identical optimizer
/// step, so every worker ends with the same weights. The package <c>MlpTrainer.Mpi</c> implements it on MPI
/// (<c>MpiWorkerGroup</c>); the training core needs nothing but the four collectives below.
/// </summary>
/// <remarks>
/// Every member must call the collectives in the same order with the same lengths, as MPI's collectives require; the
/// trainer does. A sum must give every member the same bits (MPI's <c>MPI_Allreduce</c> with <c>MPI_SUM</c> does, as
/// long as the group does not change), otherwise the workers' weights drift apart.
/// </remarks>
public abstract class MlpWorkerGroup
{
    /// <summary>This worker's number in the group, 0 to <see cref="Size"/> − 1. Worker 0 writes the checkpoints.</summary>
    public abstract int Rank { get; }

    /// <summary>The number of workers in the group, at least 1.</summary>
    public abstract int Size { get; }

    /// <summary>Replaces <paramref name="values"/> on every worker by the element-wise sum of every worker's values.</summary>
    public abstract void AllReduceSum(Span<float> values);

    /// <summary>Replaces <paramref name="values"/> on every worker by the element-wise sum of every worker's values.</summary>
    public abstract void AllReduceSum(Span<double> values);

    /// <summary>Replaces <paramref name="bytes"/> on every worker by worker <paramref name="root"/>'s; every worker passes the same length.</summary>
    public abstract void Broadcast(Span<byte> bytes, int root);

    /// <inheritdoc />
    public override string ToString() => $"worker {Rank} of {Size}";
}
