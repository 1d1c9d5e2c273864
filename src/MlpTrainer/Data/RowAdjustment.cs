namespace MlpTrainer.Data;

/// <summary>
/// What training does to each row read from the data before it learns from it: multiply its weight by its class's
/// weight (ClassWeights, UseBalancedClassWeights) and standardise its target (NormalizeLabel). The arithmetic is that of
/// <see cref="RowDataset.ScaleWeightsByClass"/> and <see cref="RowDataset.TransformTargets"/>, so a streamed row
/// trains exactly as the same row held in memory.
/// </summary>
internal sealed class RowAdjustment
{
    private readonly float[]? _classWeights;
    private readonly bool _transformTargets;
    private readonly double _offset;
    private readonly double _scale;

    /// <param name="classWeights">A weight per class, or null.</param>
    /// <param name="targetOffset">Subtracted from each target when <paramref name="transformTargets"/>.</param>
    /// <param name="targetScale">Then divides it.</param>
    /// <param name="transformTargets">Whether to standardise targets.</param>
    public RowAdjustment(float[]? classWeights, bool transformTargets, double targetOffset, double targetScale)
    {
        _classWeights = classWeights;
        _transformTargets = transformTargets;
        _offset = targetOffset;
        _scale = targetScale;
    }

    public static RowAdjustment None { get; } = new(null, false, 0, 1);

    public void Apply(ref float target, ref float weight)
    {
        if (_classWeights is not null)
            weight *= _classWeights[(int)target];
        if (_transformTargets)
            target = (float)((target - _offset) / _scale);
    }
}
