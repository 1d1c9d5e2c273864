namespace MlpTrainer;

/// <summary>How the gradient of each minibatch updates the weights. η is the learning rate, g the gradient.</summary>
public enum MlpOptimizer
{
    /// <summary>
    /// Stochastic gradient descent: w ← w − η·g, or with <see cref="MlpOptions.Momentum"/> μ &gt; 0,
    /// v ← μ·v − η·g, w ← w + v (Nesterov's variant, w ← w + μ·v − η·g, when <see cref="MlpOptions.UseNesterov"/> is set).
    /// <see cref="MlpOptions.L2Regularization"/> λ adds λ·w to g.
    /// </summary>
    Sgd = 0,

    /// <summary>
    /// Adam (Kingma and Ba, 2015) with bias correction. The default, as in scikit-learn.
    /// <see cref="MlpOptions.L2Regularization"/> λ adds λ·w to g (coupled L2, as PyTorch's <c>Adam(weight_decay=λ)</c>).
    /// </summary>
    Adam = 1,

    /// <summary>
    /// AdamW (Loshchilov and Hutter, 2019): Adam with decoupled weight decay. <see cref="MlpOptions.L2Regularization"/> λ
    /// shrinks the weights directly, w ← w − η·λ·w, instead of entering the moments (PyTorch's <c>AdamW(weight_decay=λ)</c>).
    /// </summary>
    AdamW = 2,

    /// <summary>
    /// RMSProp (Hinton, 2012): s ← ρ·s + (1 − ρ)·g², w ← w − η·g / (√s + ε), with ρ = <see cref="MlpOptions.RmsPropDecay"/> and
    /// ε = <see cref="MlpOptions.Epsilon"/>. <see cref="MlpOptions.L2Regularization"/> λ adds λ·w to g.
    /// </summary>
    RmsProp = 3,

    /// <summary>
    /// Full-batch L-BFGS over all parameters (scikit-learn's <c>solver="lbfgs"</c>), run by ML.NET's own L-BFGS with a Wolfe
    /// line search (the one its <c>LbfgsMaximumEntropy</c> and <c>LbfgsPoissonRegression</c> trainers use). Each iteration
    /// evaluates the loss and gradient over every training row (weighted by example and class weights) plus the L2 term
    /// λ/2·Σw², and counts as one epoch: <see cref="MlpOptions.NumberOfEpochs"/> is the iteration limit, one history entry
    /// per iteration, and <see cref="MlpOptions.EarlyStoppingPatience"/> / <see cref="MlpOptions.EarlyStoppingTolerance"/>
    /// stop it when the loss stalls. It needs no learning rate or batch size, and often converges faster and better on small
    /// data sets. Not with dropout, a learning-rate schedule or checkpoints.
    /// </summary>
    Lbfgs = 4,
}
