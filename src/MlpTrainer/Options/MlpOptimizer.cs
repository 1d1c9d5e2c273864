namespace MlpTrainer;

/// <summary>How the gradient of each minibatch updates the weights.</summary>
public enum MlpOptimizer
{
    /// <summary>
    /// Stochastic gradient descent: w ← w − η·g, or with <see cref="MlpOptions.Momentum"/> &gt; 0,
    /// v ← μ·v − η·g, w ← w + v (Nesterov's variant when <see cref="MlpOptions.UseNesterov"/> is set).
    /// </summary>
    Sgd = 0,

    /// <summary>Adam (Kingma and Ba, 2015) with bias correction. The default, as in scikit-learn.</summary>
    Adam = 1,
}
