namespace MlpTrainer.Data;

/// <summary>
/// Storage chunks of <see cref="DenseDataset"/>s that are done with (a <c>Fit</c>'s training rows once it has trained),
/// held by weak references for the next dataset of the same chunk size to fill again. Memory new to the process is
/// mapped by the operating system page by page as it is first written, and for a 60,000 × 784 dataset those faults
/// cost several times the read itself: a second <c>Fit</c> in the process (cross-validation, AutoML, a re-run) would
/// pay them again whenever no garbage collection has run since the first dataset died. A chunk taken from here is
/// mapped already. The references are weak, so the pool never keeps memory the garbage collector wants back: a
/// collected chunk is simply not there any more. Thread-safe.
/// </summary>
internal static class DenseChunkPool
{
    private static readonly object s_gate = new();
    private static readonly List<WeakReference<float[]>> s_chunks = new();

    /// <summary>Offers <paramref name="chunks"/>, which their owner will not touch again, to the next dataset.</summary>
    public static void Return(List<float[]> chunks)
    {
        lock (s_gate)
        {
            s_chunks.RemoveAll(reference => !reference.TryGetTarget(out _));
            foreach (float[] chunk in chunks)
                s_chunks.Add(new WeakReference<float[]>(chunk));
        }
    }

    /// <summary>A chunk of exactly <paramref name="length"/> floats still alive in the pool, or null. Its contents are a previous dataset's rows.</summary>
    public static float[]? TryTake(int length)
    {
        lock (s_gate)
        {
            for (int i = s_chunks.Count - 1; i >= 0; i--)
            {
                if (!s_chunks[i].TryGetTarget(out float[]? chunk))
                {
                    s_chunks.RemoveAt(i);
                }
                else if (chunk.Length == length)
                {
                    s_chunks.RemoveAt(i);
                    return chunk;
                }
            }
            return null;
        }
    }
}
