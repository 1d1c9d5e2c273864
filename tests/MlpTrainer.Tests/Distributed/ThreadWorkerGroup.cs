namespace MlpTrainer.Tests.Distributed;

/// <summary>
/// An <see cref="MlpWorkerGroup"/> of threads in one process, for testing data-parallel training without MPI: the
/// collectives meet at a barrier, and a sum adds the workers' values in rank order, so every worker gets the same bits.
/// A worker that waits longer than <see cref="Timeout"/> for the others throws <see cref="TimeoutException"/> (a
/// deadlock fails the test instead of hanging it).
/// </summary>
internal sealed class ThreadWorkerGroup : MlpWorkerGroup
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly Shared _shared;

    private ThreadWorkerGroup(Shared shared, int rank)
    {
        _shared = shared;
        Rank = rank;
    }

    public override int Rank { get; }

    public override int Size => _shared.Size;

    /// <summary>The members of a new group of <paramref name="size"/> workers, rank 0 first.</summary>
    public static ThreadWorkerGroup[] Create(int size)
    {
        var shared = new Shared(size);
        return Enumerable.Range(0, size).Select(rank => new ThreadWorkerGroup(shared, rank)).ToArray();
    }

    /// <summary>Runs <paramref name="work"/> on every member of a new group of <paramref name="size"/>, each on its own thread; returns each one's result or exception, by rank.</summary>
    public static (T? Result, Exception? Error)[] Run<T>(int size, Func<MlpWorkerGroup, T> work)
    {
        ThreadWorkerGroup[] members = Create(size);
        var outcomes = new (T?, Exception?)[size];
        Thread[] threads = members.Select(member => new Thread(() =>
        {
            try
            {
                outcomes[member.Rank] = (work(member), null);
            }
            catch (Exception e)
            {
                outcomes[member.Rank] = (default, e);
            }
        })).ToArray();
        foreach (Thread thread in threads)
            thread.Start();
        foreach (Thread thread in threads)
            thread.Join();
        return outcomes;
    }

    /// <summary>As <see cref="Run{T}"/>, rethrowing the first worker's exception.</summary>
    public static T[] RunAll<T>(int size, Func<MlpWorkerGroup, T> work)
    {
        (T? Result, Exception? Error)[] outcomes = Run(size, work);
        if (outcomes.FirstOrDefault(o => o.Error is not null).Error is { } error)
            throw new AggregateException($"A worker of {size} failed.", outcomes.Where(o => o.Error is not null).Select(o => o.Error!));
        return outcomes.Select(o => o.Result!).ToArray();
    }

    public override void AllReduceSum(Span<float> values)
    {
        _shared.Floats[Rank] = values.ToArray();
        Meet();
        values.Clear();
        foreach (float[] contribution in _shared.Floats)
            for (int i = 0; i < values.Length; i++)
                values[i] += contribution[i];
        Meet();
    }

    public override void AllReduceSum(Span<double> values)
    {
        _shared.Doubles[Rank] = values.ToArray();
        Meet();
        values.Clear();
        foreach (double[] contribution in _shared.Doubles)
            for (int i = 0; i < values.Length; i++)
                values[i] += contribution[i];
        Meet();
    }

    public override void Broadcast(Span<byte> bytes, int root)
    {
        if (Rank == root)
            _shared.Bytes = bytes.ToArray();
        Meet();
        _shared.Bytes.CopyTo(bytes);
        Meet();
    }

    private void Meet()
    {
        if (!_shared.Barrier.SignalAndWait(Timeout))
            throw new TimeoutException($"Worker {Rank} of {Size} waited {Timeout.TotalSeconds} s for the others in a collective: they took another path.");
    }

    private sealed class Shared(int size)
    {
        public int Size { get; } = size;
        public Barrier Barrier { get; } = new(size);
        public float[][] Floats { get; } = new float[size][];
        public double[][] Doubles { get; } = new double[size][];
        public byte[] Bytes { get; set; } = Array.Empty<byte>();
    }
}
