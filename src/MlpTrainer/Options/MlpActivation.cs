namespace MlpTrainer;

/// <summary>The non-linearity applied after the affine map of every hidden layer.</summary>
public enum MlpActivation
{
    /// <summary>f(x) = x. A network of identity layers is a linear model.</summary>
    Identity = 0,

    /// <summary>f(x) = 1 / (1 + e^-x).</summary>
    Sigmoid = 1,

    /// <summary>f(x) = tanh(x).</summary>
    Tanh = 2,

    /// <summary>f(x) = max(0, x). The default, as in scikit-learn.</summary>
    ReLU = 3,

    /// <summary>f(x) = x for x &gt; 0, else <see cref="MlpOptions.LeakyReLUSlope"/> · x.</summary>
    LeakyReLU = 4,
}
