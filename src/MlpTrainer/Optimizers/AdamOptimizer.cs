using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MlpTrainer.Kernels;
using MlpTrainer.Model;

namespace MlpTrainer.Optimizers;

/// <summary>
/// Adam (Kingma and Ba, 2015) with bias correction, in PyTorch's form: with g the gradient (plus λ·w),
/// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − η·m̂/(√v̂ + ε), m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
/// It is computed as w ← w − αₜ·m/(√v + ε̂) with αₜ = η√(1−β₂ᵗ)/(1−β₁ᵗ) and ε̂ = ε√(1−β₂ᵗ), which is the same
/// expression with the corrections folded into two scalars, so each element costs one pass over memory.
/// With decoupled decay (AdamW) λ does not enter g: the weights shrink first, w ← w·(1 − η·λ), as in PyTorch's AdamW.
/// </summary>
internal sealed class AdamOptimizer : Optimizer
{
    private readonly float _beta1, _beta2, _epsilon;
    private readonly bool _decoupled;
    private readonly float[] _m, _v;
    private float _alpha, _epsilonHat, _learningRate;

    public AdamOptimizer(NetworkLayout layout, float l2Regularization, float beta1, float beta2, float epsilon, bool decoupledDecay)
        : base(layout, l2Regularization)
    {
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
        _decoupled = decoupledDecay;
        _m = NewStateArray();
        _v = NewStateArray();
    }

    public override IReadOnlyList<float[]> StateArrays => new[] { _m, _v };

    protected override void BeginStep(long step, float learningRate)
    {
        _learningRate = learningRate;
        double correction2 = Math.Sqrt(1 - Math.Pow(_beta2, step));
        _alpha = (float)(learningRate * correction2 / (1 - Math.Pow(_beta1, step)));
        _epsilonHat = (float)(_epsilon * correction2);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int stateOffset, float decay)
    {
        // Coupled L2 adds λ·w to the gradient; decoupled decay scales w by (1 − η·λ) and leaves the gradient alone.
        float keep = _decoupled ? 1 - _learningRate * decay : 1f;
        if (_decoupled)
            decay = 0f;
        Segment(ref MemoryMarshal.GetReference(parameters), ref MemoryMarshal.GetReference(gradients), ref _m[stateOffset], ref _v[stateOffset],
            parameters.Length, _beta1, _beta2, _alpha, _epsilonHat, decay, keep);
    }

    /// <summary>Rows ahead whose weights and state <see cref="UpdateRows"/> prefetches.</summary>
    private const int PrefetchDistance = 6;

    /// <summary>
    /// The lazy step of a sparse first layer's touched rows in one loop: the scalars are worked out once, and each row
    /// costs its loads and stores and no call, span or virtual dispatch (the rows are scattered, so the loop is bound by
    /// memory latency and a short one keeps more rows in flight), and the weights and state of the row
    /// <see cref="PrefetchDistance"/> ahead are prefetched. Each row's arithmetic is <see cref="Update"/>'s.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void UpdateRows(float[] parameters, Layers.SparseRowGradient rows, int start, int end, int offset, float decay)
    {
        float keep = _decoupled ? 1 - _learningRate * decay : 1f;
        if (_decoupled)
            decay = 0f;
        float b1 = _beta1, b2 = _beta2, alpha = _alpha, eps = _epsilonHat;
        float[] m = _m, v = _v;
        int width = rows.Width;
        ReadOnlySpan<int> slots = rows.Slots;
        if ((uint)end > (uint)slots.Length || (uint)start > (uint)end)
            throw new ArgumentOutOfRangeException(nameof(end));
        if (m.Length != parameters.Length || v.Length != parameters.Length)
            throw new ArgumentException($"The optimizer holds state for {m.Length} parameters; got {parameters.Length}.", nameof(parameters));
        for (int i = start; i < end; i++)
        {
            if (i + PrefetchDistance < end)
            {
                int ahead = offset + slots[i + PrefetchDistance] * width;
                if ((uint)ahead <= (uint)(parameters.Length - width))
                {
                    RowPrefetch.Lines(ref parameters[ahead], width);
                    RowPrefetch.Lines(ref m[ahead], width);
                    RowPrefetch.Lines(ref v[ahead], width);
                }
            }
            int at = offset + slots[i] * width;
            // One bounds check per row: the segment [at, at + width) lies inside the parameters (and so inside the state
            // arrays, which are as long).
            if ((uint)at > (uint)(parameters.Length - width))
                throw new ArgumentOutOfRangeException(nameof(rows), slots[i], "A touched slot lies outside the first layer.");
            Segment(ref parameters[at], ref MemoryMarshal.GetReference(rows.Row(i)), ref m[at], ref v[at], width, b1, b2, alpha, eps, decay, keep);
        }
    }

    /// <summary>One Adam step of the <paramref name="n"/> parameters at <paramref name="w"/>, their gradients, moments and velocities.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Segment(ref float w, ref float g, ref float m, ref float v, int n,
        float b1, float b2, float alpha, float eps, float decay, float keep)
    {
        float c1 = 1 - b1, c2 = 1 - b2;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vb1 = Vector512.Create(b1); var vb2 = Vector512.Create(b2);
            var vc1 = Vector512.Create(c1); var vc2 = Vector512.Create(c2);
            var va = Vector512.Create(alpha); var ve = Vector512.Create(eps); var vd = Vector512.Create(decay); var vk = Vector512.Create(keep);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var wi = Vector512.LoadUnsafe(ref w, (nuint)i) * vk;
                var gi = Subnormal.FlushUnsquarable(Vector512.LoadUnsafe(ref g, (nuint)i) + vd * wi);
                var mi = Subnormal.FlushUnsquarable(vb1 * Vector512.LoadUnsafe(ref m, (nuint)i) + vc1 * gi);
                var vi = Subnormal.Flush(vb2 * Vector512.LoadUnsafe(ref v, (nuint)i) + vc2 * (gi * gi));
                Vector512.StoreUnsafe(mi, ref m, (nuint)i);
                Vector512.StoreUnsafe(vi, ref v, (nuint)i);
                Vector512.StoreUnsafe(Subnormal.FlushUnsquarable(wi - va * mi / (Vector512.Sqrt(vi) + ve)), ref w, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var vb1 = Vector256.Create(b1); var vb2 = Vector256.Create(b2);
            var vc1 = Vector256.Create(c1); var vc2 = Vector256.Create(c2);
            var va = Vector256.Create(alpha); var ve = Vector256.Create(eps); var vd = Vector256.Create(decay); var vk = Vector256.Create(keep);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var wi = Vector256.LoadUnsafe(ref w, (nuint)i) * vk;
                var gi = Subnormal.FlushUnsquarable(Vector256.LoadUnsafe(ref g, (nuint)i) + vd * wi);
                var mi = Subnormal.FlushUnsquarable(vb1 * Vector256.LoadUnsafe(ref m, (nuint)i) + vc1 * gi);
                var vi = Subnormal.Flush(vb2 * Vector256.LoadUnsafe(ref v, (nuint)i) + vc2 * (gi * gi));
                Vector256.StoreUnsafe(mi, ref m, (nuint)i);
                Vector256.StoreUnsafe(vi, ref v, (nuint)i);
                Vector256.StoreUnsafe(Subnormal.FlushUnsquarable(wi - va * mi / (Vector256.Sqrt(vi) + ve)), ref w, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float wi = Unsafe.Add(ref w, i) * keep;
            float gi = Subnormal.FlushUnsquarable(Unsafe.Add(ref g, i) + decay * wi);
            float mi = Subnormal.FlushUnsquarable(b1 * Unsafe.Add(ref m, i) + c1 * gi);
            float vi = Subnormal.Flush(b2 * Unsafe.Add(ref v, i) + c2 * (gi * gi));
            Unsafe.Add(ref m, i) = mi;
            Unsafe.Add(ref v, i) = vi;
            Unsafe.Add(ref w, i) = Subnormal.FlushUnsquarable(wi - alpha * mi / (MathF.Sqrt(vi) + eps));
        }
    }
}
