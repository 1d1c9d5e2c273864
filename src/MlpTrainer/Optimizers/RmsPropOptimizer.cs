using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MlpTrainer.Kernels;
using MlpTrainer.Model;

namespace MlpTrainer.Optimizers;

/// <summary>
/// RMSProp in PyTorch's form (no momentum, not centred): with g the gradient plus λ·w,
/// s ← ρ·s + (1 − ρ)·g², w ← w − η·g / (√s + ε).
/// </summary>
internal sealed class RmsPropOptimizer : Optimizer
{
    private readonly float _rho, _epsilon;
    private readonly float[] _meanSquare;
    private float _learningRate;

    public RmsPropOptimizer(NetworkLayout layout, float l2Regularization, float rho, float epsilon)
        : base(layout, l2Regularization)
    {
        _rho = rho;
        _epsilon = epsilon;
        _meanSquare = NewStateArray();
    }

    public override IReadOnlyList<float[]> StateArrays => new[] { _meanSquare };

    protected override void BeginStep(long step, float learningRate) => _learningRate = learningRate;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int stateOffset, float decay)
    {
        int n = parameters.Length;
        ref float w = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float s = ref _meanSquare[stateOffset];
        float rho = _rho, c = 1 - _rho, lr = _learningRate, eps = _epsilon;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vrho = Vector512.Create(rho); var vc = Vector512.Create(c); var vlr = Vector512.Create(lr);
            var ve = Vector512.Create(eps); var vd = Vector512.Create(decay);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var wi = Vector512.LoadUnsafe(ref w, (nuint)i);
                var gi = Subnormal.FlushUnsquarable(Vector512.LoadUnsafe(ref g, (nuint)i) + vd * wi);
                var si = Subnormal.Flush(vrho * Vector512.LoadUnsafe(ref s, (nuint)i) + vc * (gi * gi));
                Vector512.StoreUnsafe(si, ref s, (nuint)i);
                Vector512.StoreUnsafe(Subnormal.FlushUnsquarable(wi - vlr * gi / (Vector512.Sqrt(si) + ve)), ref w, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var vrho = Vector256.Create(rho); var vc = Vector256.Create(c); var vlr = Vector256.Create(lr);
            var ve = Vector256.Create(eps); var vd = Vector256.Create(decay);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var wi = Vector256.LoadUnsafe(ref w, (nuint)i);
                var gi = Subnormal.FlushUnsquarable(Vector256.LoadUnsafe(ref g, (nuint)i) + vd * wi);
                var si = Subnormal.Flush(vrho * Vector256.LoadUnsafe(ref s, (nuint)i) + vc * (gi * gi));
                Vector256.StoreUnsafe(si, ref s, (nuint)i);
                Vector256.StoreUnsafe(Subnormal.FlushUnsquarable(wi - vlr * gi / (Vector256.Sqrt(si) + ve)), ref w, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float wi = Unsafe.Add(ref w, i);
            float gi = Subnormal.FlushUnsquarable(Unsafe.Add(ref g, i) + decay * wi);
            float si = Subnormal.Flush(rho * Unsafe.Add(ref s, i) + c * (gi * gi));
            Unsafe.Add(ref s, i) = si;
            Unsafe.Add(ref w, i) = Subnormal.FlushUnsquarable(wi - lr * gi / (MathF.Sqrt(si) + eps));
        }
    }
}
