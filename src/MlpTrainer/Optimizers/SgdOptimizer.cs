using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MlpTrainer.Kernels;
using MlpTrainer.Model;

namespace MlpTrainer.Optimizers;

/// <summary>
/// Stochastic gradient descent, in scikit-learn's form. With g the gradient (plus λ·w) and η the step:
/// plain, w ← w − ηg; with momentum μ, v ← μv − ηg then w ← w + v; with Nesterov's momentum, v ← μv − ηg
/// then w ← w + μv − ηg.
/// </summary>
internal sealed class SgdOptimizer : Optimizer
{
    private readonly float _momentum;
    private readonly bool _nesterov;
    private readonly float[]? _velocity;
    private float _learningRate;

    public SgdOptimizer(NetworkLayout layout, float l2Regularization, float momentum, bool nesterov)
        : base(layout, l2Regularization)
    {
        _momentum = momentum;
        _nesterov = nesterov;
        _velocity = momentum > 0 ? NewStateArray() : null;
    }

    public override IReadOnlyList<float[]> StateArrays => _velocity is null ? Array.Empty<float[]>() : new[] { _velocity };

    protected override void BeginStep(long step, float learningRate) => _learningRate = learningRate;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int stateOffset, float decay)
    {
        int n = parameters.Length;
        ref float w = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        float lr = _learningRate, mu = _momentum;
        if (_velocity is null)
        {
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                var vlr = Vector512.Create(lr); var vd = Vector512.Create(decay);
                for (; j <= n - Vector512<float>.Count; j += Vector512<float>.Count)
                {
                    var wj = Vector512.LoadUnsafe(ref w, (nuint)j);
                    Vector512.StoreUnsafe(Subnormal.FlushUnsquarable(wj - vlr * (Vector512.LoadUnsafe(ref g, (nuint)j) + vd * wj)), ref w, (nuint)j);
                }
            }
            for (; j < n; j++)
            {
                float wj = Unsafe.Add(ref w, j);
                Unsafe.Add(ref w, j) = Subnormal.FlushUnsquarable(wj - lr * (Unsafe.Add(ref g, j) + decay * wj));
            }
            return;
        }

        ref float v = ref _velocity[stateOffset];
        float look = _nesterov ? mu : 0f;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vlr = Vector512.Create(lr); var vmu = Vector512.Create(mu); var vd = Vector512.Create(decay);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var wi = Vector512.LoadUnsafe(ref w, (nuint)i);
                var step = vlr * (Vector512.LoadUnsafe(ref g, (nuint)i) + vd * wi);
                var vi = Subnormal.FlushUnsquarable(vmu * Vector512.LoadUnsafe(ref v, (nuint)i) - step);
                Vector512.StoreUnsafe(vi, ref v, (nuint)i);
                Vector512.StoreUnsafe(Subnormal.FlushUnsquarable(_nesterov ? wi + (vmu * vi - step) : wi + vi), ref w, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float wi = Unsafe.Add(ref w, i);
            float step = lr * (Unsafe.Add(ref g, i) + decay * wi);
            float vi = Subnormal.FlushUnsquarable(mu * Unsafe.Add(ref v, i) - step);
            Unsafe.Add(ref v, i) = vi;
            Unsafe.Add(ref w, i) = Subnormal.FlushUnsquarable(_nesterov ? wi + (look * vi - step) : wi + vi);
        }
    }
}
