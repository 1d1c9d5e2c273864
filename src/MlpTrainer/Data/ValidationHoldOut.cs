using MlpTrainer.Training;

namespace MlpTrainer.Data;

/// <summary>
/// Which rows a streamed training holds out for validation under ValidationFraction: a row is held out when a seeded
/// hash of its position in the data view falls below the fraction. The choice needs no pass over the data and no
/// memory, and it is the same on every pass, so a held-out row is never trained on. Unlike the in-memory split it is not
/// stratified, and the number held out is about, not exactly, fraction × rows.
/// </summary>
internal sealed class ValidationHoldOut
{
    private readonly ulong _key;
    private readonly ulong _threshold;

    public ValidationHoldOut(int seed, float fraction)
    {
        if (!(fraction > 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction is greater than 0 and less than 1.");
        _key = (ulong)SeedSequence.Derive(seed, SeedSequence.Stream.StreamingValidation) * 0x9E3779B97F4A7C15UL;
        _threshold = (ulong)(fraction * (double)(1UL << 53)) << 11;
    }

    /// <summary>True when the row at <paramref name="position"/> is a validation row.</summary>
    public bool IsHeldOut(long position)
    {
        // SplitMix64's finaliser over the position and the seed's key: a fixed, uniform 64-bit value per row.
        return SplitMix64.Mix(_key + ((ulong)position + 1) * 0xBF58476D1CE4E5B9UL) < _threshold;
    }
}
