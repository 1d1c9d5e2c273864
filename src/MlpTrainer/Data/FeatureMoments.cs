using Microsoft.ML.Data;

namespace MlpTrainer.Data;

/// <summary>
/// Accumulates, over the training rows, what <see cref="FeatureStandardization"/> needs of each feature: its mean and
/// variance weighted by the rows' example weights (a row of weight 2 counts as that row twice, one of weight 0 not at
/// all; class weights do not enter), summed in double in row order, so the result depends only on the data, and whether
/// it only ever holds 0 and 1 (an indicator, such as a one-hot column, which is left as it is).
/// </summary>
internal sealed class FeatureMoments
{
    private readonly double[] _sum, _sumOfSquares;
    private readonly bool[] _notIndicator;
    private readonly float[] _row;
    private double _weight;

    public FeatureMoments(int featureCount)
    {
        _sum = new double[featureCount];
        _sumOfSquares = new double[featureCount];
        _notIndicator = new bool[featureCount];
        _row = new float[featureCount];
    }

    /// <summary>Adds one dense row of example weight <paramref name="weight"/>.</summary>
    public void Add(ReadOnlySpan<float> features, float weight = 1f)
    {
        if (weight == 0)
            return;
        for (int j = 0; j < features.Length; j++)
        {
            double x = features[j];
            _sum[j] += weight * x;
            _sumOfSquares[j] += weight * x * x;
            _notIndicator[j] |= x != 0 && x != 1;
        }
        _weight += weight;
    }

    /// <summary>Adds one row as a data view holds it, dense or sparse.</summary>
    public void Add(in VBuffer<float> features, float weight = 1f)
    {
        if (features.IsDense)
        {
            Add(features.GetValues(), weight);
            return;
        }
        SparseVector.Scatter(features.GetIndices(), features.GetValues(), _row);
        Add(_row, weight);
    }

    /// <summary>The standardisation these rows give.</summary>
    public FeatureStandardization Finish()
    {
        int count = _sum.Length;
        var offsets = new float[count];
        var scales = new float[count];
        for (int j = 0; j < count; j++)
        {
            scales[j] = 1f;
            if (_weight == 0 || !_notIndicator[j])
                continue; // no rows, or an indicator column: left as it is
            double mean = _sum[j] / _weight;
            double variance = Math.Max(0, _sumOfSquares[j] / _weight - mean * mean);
            offsets[j] = (float)mean;
            double deviation = Math.Sqrt(variance);
            // A constant column is only centred (to 0); a deviation too small for float is treated as constant.
            if (deviation > 1e-12 * Math.Max(1, Math.Abs(mean)) && float.IsFinite((float)(1 / deviation)))
                scales[j] = (float)(1 / deviation);
        }
        return new FeatureStandardization(offsets, scales);
    }
}
