namespace MlpTrainer.Data;

/// <summary>
/// Storage chunks made ready on another thread while the reader fills earlier ones. Memory fresh from the operating
/// system is mapped only when first written, and for a 60,000 × 784 dataset those page faults cost about as much as
/// reading the rows; a background task allocates the chunks in order and writes one value per page, so the reader's
/// copies land in mapped memory and the two costs overlap. Chunks a finished dataset left in <see cref="DenseChunkPool"/>
/// are mapped already and are taken first (they hold that dataset's old rows, which the reader overwrites); new ones come
/// out zeroed. The reader only receives a chunk once the task has finished with it.
/// </summary>
internal sealed class PrefaultedChunks
{
    /// <summary>Floats per 4 KiB page: writing one of them maps the page.</summary>
    private const int FloatsPerPage = 4096 / sizeof(float);

    private readonly float[]?[] _chunks;
    private readonly int _chunkFloats;
    private volatile int _ready;
    private volatile bool _stopped;

    /// <param name="count">Chunks to prepare.</param>
    /// <param name="chunkFloats">Floats per chunk.</param>
    public PrefaultedChunks(int count, int chunkFloats)
    {
        _chunks = new float[count][];
        _chunkFloats = chunkFloats;
        Task.Run(Prepare);
    }

    /// <summary>Chunk <paramref name="index"/>, once ready; null past the prepared count or after <see cref="Stop"/>.</summary>
    public float[]? Take(int index)
    {
        if ((uint)index >= (uint)_chunks.Length || _stopped)
            return null;
        var spin = new SpinWait();
        while (_ready <= index && !_stopped)
            spin.SpinOnce();
        float[]? chunk = _chunks[index];
        _chunks[index] = null;
        return chunk;
    }

    /// <summary>Stops preparing chunks (the reader is done); chunks not taken are left to the garbage collector.</summary>
    public void Stop()
    {
        _stopped = true;
        Array.Clear(_chunks);
    }

    private void Prepare()
    {
        try
        {
            for (int i = 0; i < _chunks.Length && !_stopped; i++)
            {
                float[]? chunk = DenseChunkPool.TryTake(_chunkFloats);
                if (chunk is null)
                {
                    chunk = new float[_chunkFloats];
                    for (int j = 0; j < chunk.Length; j += FloatsPerPage)
                        chunk[j] = 0f;
                }
                _chunks[i] = chunk;
                _ready = i + 1;
            }
        }
        catch (OutOfMemoryException)
        {
            // The reader allocates its own chunks from here on, and meets the shortage itself if it is real.
        }
        finally
        {
            if (_ready < _chunks.Length)
                _stopped = true;
        }
    }
}
