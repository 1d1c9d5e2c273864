namespace MlpTrainer.Data;

/// <summary>
/// Storage chunks made ready on another thread while the reader fills earlier ones. Memory fresh from the operating
/// system is mapped only when first written, and for a 60,000 × 784 dataset those page faults cost about as much as
/// reading the rows; a background task allocates the chunks in order and maps their pages (<see cref="PageMapping"/>),
/// so the reader's copies land in mapped memory and the two costs overlap. When the reader needs a chunk the task has
/// not started yet, it claims and prepares that chunk itself while the task goes on with the next: neither thread waits
/// while there is a chunk to prepare, so the two share the mapping between them. Chunks a finished dataset left in
/// <see cref="DenseChunkPool"/> are mapped already and are taken first (they hold that dataset's old rows, which the
/// reader overwrites); new ones come out zeroed. The reader only receives a chunk once it is prepared.
/// </summary>
internal sealed class PrefaultedChunks
{
    private readonly float[]?[] _chunks;
    private readonly int[] _ready;   // 1 once chunk i is prepared and stored in _chunks[i]
    private readonly int _chunkFloats;
    private int _nextClaim;          // chunks below it are claimed by one thread or the other
    private volatile bool _stopped;
    private Kernels.KernelWarmUp.Hold? _warmUpHold;

    /// <param name="count">Chunks to prepare.</param>
    /// <param name="chunkFloats">Floats per chunk.</param>
    public PrefaultedChunks(int count, int chunkFloats)
    {
        _chunks = new float[count][];
        _ready = new int[count];
        _chunkFloats = chunkFloats;
        // The reader and this task keep both cores busy: compiling the kernels ahead waits until the read is over.
        _warmUpHold = Kernels.KernelWarmUp.Pause();
        // A thread of its own: on a thread-pool thread it could wait behind other work (two pool threads on two cores).
        Task.Factory.StartNew(Prepare, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Chunk <paramref name="index"/>, prepared by the task, or by the caller when the task has not claimed it yet; null
    /// past the prepared count, after <see cref="Stop"/>, or when the task gave up for lack of memory.
    /// </summary>
    public float[]? Take(int index)
    {
        if ((uint)index >= (uint)_chunks.Length || _stopped)
            return null;
        if (Volatile.Read(ref _ready[index]) == 0 && Interlocked.CompareExchange(ref _nextClaim, index + 1, index) == index)
            return Allocate();
        var spin = new SpinWait();
        while (Volatile.Read(ref _ready[index]) == 0 && !_stopped)
            spin.SpinOnce();
        float[]? chunk = _chunks[index];
        _chunks[index] = null;
        return chunk;
    }

    /// <summary>Stops preparing chunks (the reader is done); chunks not taken are left to the garbage collector.</summary>
    public void Stop()
    {
        _stopped = true;
        _warmUpHold?.Dispose();
        _warmUpHold = null;
        Array.Clear(_chunks);
    }

    /// <summary>A chunk ready to write: one a finished dataset left, or a new one with its pages mapped.</summary>
    private float[] Allocate()
    {
        float[]? chunk = DenseChunkPool.TryTake(_chunkFloats);
        if (chunk is null)
        {
            chunk = new float[_chunkFloats];
            PageMapping.Map(chunk);
        }
        return chunk;
    }

    private void Prepare()
    {
        try
        {
            while (!_stopped)
            {
                int i = Interlocked.Increment(ref _nextClaim) - 1;
                if (i >= _chunks.Length)
                    break;
                _chunks[i] = Allocate();
                Volatile.Write(ref _ready[i], 1);
            }
        }
        catch (Exception)
        {
            // Out of memory, say: the reader allocates its own chunks from here on (a chunk this task had claimed
            // included) and meets the problem itself if it is real.
            _stopped = true;
        }
    }
}
