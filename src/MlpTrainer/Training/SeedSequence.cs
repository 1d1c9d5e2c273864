namespace MlpTrainer.Training;

/// <summary>
/// Derives independent seeds from the training seed for each use of randomness and each epoch, so every epoch's
/// shuffle and dropout masks depend only on (seed, epoch): a run resumed from a checkpoint draws exactly what an
/// uninterrupted run would have drawn, with no generator state to save.
/// </summary>
internal static class SeedSequence
{
    public enum Stream
    {
        Initialization = 1,
        Shuffle = 2,
        Dropout = 3,
        ValidationSplit = 4,
        StreamingShuffle = 5,
        StreamingValidation = 6,
    }

    public static int Derive(int seed, Stream stream, int epoch = 0)
    {
        // SplitMix64's finaliser over the three values: a fixed, well-mixed function on every platform.
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)stream * 0xBF58476D1CE4E5B9UL + (ulong)(uint)epoch * 0x94D049BB133111EBUL;
        z = SplitMix64.Mix(z);
        return (int)(z & 0x7FFFFFFF);
    }

    public static Random Create(int seed, Stream stream, int epoch = 0) => new(Derive(seed, stream, epoch));
}
