namespace MlpTrainer.Training;

/// <summary>
/// SplitMix64's finaliser: a fixed, well-mixed function from 64 bits to 64 bits, the same on every platform. Seeds,
/// validation hold-outs and counter-based weight draws all derive their values from it.
/// </summary>
internal static class SplitMix64
{
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
