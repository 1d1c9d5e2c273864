using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Microsoft.ML.Data;

namespace MlpTrainer.Data;

/// <summary>
/// Accumulates, over the training rows, what <see cref="FeatureStandardization"/> needs of each feature: its mean and
/// variance weighted as training weighs the rows (a row of weight 2 counts as that row twice, one of weight 0 not at
/// all, and class weights multiply in), and whether it only ever holds 0 and 1 (an indicator, such as a one-hot column,
/// which is left as it is). Sums are kept per class in double, in row order, so class weights can be applied once they
/// are known (balanced weights need every row's class first) and the result depends only on the data.
/// </summary>
internal sealed class FeatureMoments
{
    private readonly int _features;
    private readonly double[] _sum, _sumOfSquares, _weight;   // per class (one stratum for regression), then feature
    private readonly double[] _offIndicator;                  // Σ |x·(x − 1)| per feature: 0 for an indicator column
    private readonly float[] _row;

    /// <param name="featureCount">Features per row.</param>
    /// <param name="classCount">Classes (the rows' targets are class indices), or 0 for regression.</param>
    public FeatureMoments(int featureCount, int classCount = 0)
    {
        int strata = Math.Max(1, classCount);
        _features = featureCount;
        _sum = new double[strata * featureCount];
        _sumOfSquares = new double[strata * featureCount];
        _weight = new double[strata];
        _offIndicator = new double[featureCount];
        _row = new float[featureCount];
    }

    /// <summary>Adds one dense row of example weight <paramref name="weight"/> and class <paramref name="stratum"/> (0 for regression).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<float> features, float weight = 1f, int stratum = 0)
    {
        if (features.Length != _features)
            throw new ArgumentException($"The moments are of {_features} features; the row has {features.Length}.", nameof(features));
        if (weight == 0)
            return;
        // In double, a vector at a time (compiled optimised at once: a 60,000-row table is read in one call each):
        // w·x and w·x² to the class's sums, and |(x − 1)·x|, which is 0 only for 0 and 1, to the indicator test.
        Span<double> sum = _sum.AsSpan(stratum * _features, _features), squares = _sumOfSquares.AsSpan(stratum * _features, _features);
        Span<double> off = _offIndicator;
        double w = weight;
        int j = 0;
        if (Vector512.IsHardwareAccelerated && features.Length >= Vector512<float>.Count)
        {
            // The widest vectors: half the instructions of Vector<T>'s 256 bits (the moments run beside the reader, on
            // the same two cores as the page mapping), the same operations on each element, so the same sums.
            var wv = Vector512.Create(w);
            ref float x = ref MemoryMarshal.GetReference(features);
            ref double sumRef = ref MemoryMarshal.GetReference(sum), squaresRef = ref MemoryMarshal.GetReference(squares), offRef = ref MemoryMarshal.GetReference(off);
            for (; j <= features.Length - Vector512<float>.Count; j += Vector512<float>.Count)
            {
                (Vector512<double> low, Vector512<double> high) = Vector512.Widen(Vector512.LoadUnsafe(ref x, (nuint)j));
                Accumulate(low, wv, ref sumRef, ref squaresRef, ref offRef, (nuint)j);
                Accumulate(high, wv, ref sumRef, ref squaresRef, ref offRef, (nuint)(j + Vector512<double>.Count));
            }
        }
        else if (Vector.IsHardwareAccelerated && features.Length >= Vector<float>.Count)
        {
            int width = Vector<float>.Count, half = Vector<double>.Count;
            var wv = new Vector<double>(w);
            for (; j <= features.Length - width; j += width)
            {
                Vector.Widen(new Vector<float>(features.Slice(j, width)), out Vector<double> low, out Vector<double> high);
                Accumulate(low, wv, sum.Slice(j, half), squares.Slice(j, half), off.Slice(j, half));
                Accumulate(high, wv, sum.Slice(j + half, half), squares.Slice(j + half, half), off.Slice(j + half, half));
            }
        }
        for (; j < features.Length; j++)
        {
            double x = features[j], wx = w * x;
            sum[j] += wx;
            squares[j] += wx * x;
            off[j] += Math.Abs((x - 1) * x);
        }
        _weight[stratum] += weight;
    }

    /// <summary>The vector form of the scalar loop's three sums: the same operations in the same order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(Vector<double> x, Vector<double> w, Span<double> sum, Span<double> squares, Span<double> off)
    {
        Vector<double> wx = w * x;
        (new Vector<double>(sum) + wx).CopyTo(sum);
        (new Vector<double>(squares) + wx * x).CopyTo(squares);
        (new Vector<double>(off) + Vector.Abs((x - Vector<double>.One) * x)).CopyTo(off);
    }

    /// <summary>The 512-bit form of the scalar loop's three sums at element <paramref name="at"/>: the same operations in the same order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(Vector512<double> x, Vector512<double> w, ref double sum, ref double squares, ref double off, nuint at)
    {
        Vector512<double> wx = w * x;
        (Vector512.LoadUnsafe(ref sum, at) + wx).StoreUnsafe(ref sum, at);
        (Vector512.LoadUnsafe(ref squares, at) + wx * x).StoreUnsafe(ref squares, at);
        (Vector512.LoadUnsafe(ref off, at) + Vector512.Abs((x - Vector512<double>.One) * x)).StoreUnsafe(ref off, at);
    }

    /// <summary>Adds one row as a data view holds it, dense or sparse.</summary>
    public void Add(in VBuffer<float> features, float weight = 1f, int stratum = 0)
    {
        if (features.IsDense)
        {
            Add(features.GetValues(), weight, stratum);
            return;
        }
        SparseVector.Scatter(features.GetIndices(), features.GetValues(), _row);
        Add(_row, weight, stratum);
    }

    /// <summary>The sums so far of feature <paramref name="feature"/> over class <paramref name="stratum"/>'s rows: Σ w·x, Σ w·x², and Σ |x·(x − 1)| over every row of non-zero weight.</summary>
    internal (double Sum, double SumOfSquares, double OffIndicator) Sums(int stratum, int feature)
        => (_sum[stratum * _features + feature], _sumOfSquares[stratum * _features + feature], _offIndicator[feature]);

    /// <summary>The standardisation these rows give, each class's rows weighted by <paramref name="classWeights"/> (none: 1).</summary>
    public FeatureStandardization Finish(IReadOnlyList<float>? classWeights = null)
    {
        var offsets = new float[_features];
        var scales = new float[_features];
        double total = 0;
        for (int c = 0; c < _weight.Length; c++)
            total += ClassWeight(classWeights, c) * _weight[c];
        for (int j = 0; j < _features; j++)
        {
            scales[j] = 1f;
            if (total == 0 || _offIndicator[j] == 0)
                continue; // no rows, or an indicator column: left as it is
            double sum = 0, squares = 0;
            for (int c = 0; c < _weight.Length; c++)
            {
                double w = ClassWeight(classWeights, c);
                sum += w * _sum[c * _features + j];
                squares += w * _sumOfSquares[c * _features + j];
            }
            double mean = sum / total;
            double variance = Math.Max(0, squares / total - mean * mean);
            offsets[j] = (float)mean;
            double deviation = Math.Sqrt(variance);
            // A constant column is only centred (to 0); a deviation too small for float is treated as constant.
            if (deviation > 1e-12 * Math.Max(1, Math.Abs(mean)) && float.IsFinite((float)(1 / deviation)))
                scales[j] = (float)(1 / deviation);
        }
        return new FeatureStandardization(offsets, scales);
    }

    private static double ClassWeight(IReadOnlyList<float>? classWeights, int stratum) => classWeights is null ? 1 : classWeights[stratum];
}
