namespace MlpTrainer;

/// <summary>
/// Options for the multilayer-perceptron trainers. Defaults follow scikit-learn's <c>MLPClassifier</c>
/// wherever ML.NET has no convention of its own. Every option is checked when the estimator is created
/// and again when it is fitted; an out-of-range value throws <see cref="ArgumentOutOfRangeException"/>
/// naming the option.
/// </summary>
public sealed class MlpOptions
{
    /// <summary>The label column: a key type (use <c>MapValueToKey</c>). Default <c>"Label"</c>.</summary>
    public string LabelColumnName = "Label";

    /// <summary>The feature column: a known-size vector of <see cref="float"/>. Default <c>"Features"</c>.</summary>
    public string FeatureColumnName = "Features";

    /// <summary>
    /// Units in each hidden layer, input side first. Default <c>{ 100 }</c>. Each size is 1 to 1,000,000;
    /// an empty array gives a network with no hidden layer (multinomial logistic regression).
    /// </summary>
    public int[] HiddenLayerSizes = { 100 };

    /// <summary>The activation of every hidden layer. Default <see cref="MlpActivation.ReLU"/>.</summary>
    public MlpActivation Activation = MlpActivation.ReLU;

    /// <summary>The slope for negative inputs of <see cref="MlpActivation.LeakyReLU"/>. Default 0.01; 0 to 1.</summary>
    public float LeakyReLUSlope = 0.01f;

    /// <summary>The optimizer. Default <see cref="MlpOptimizer.Adam"/>.</summary>
    public MlpOptimizer Optimizer = MlpOptimizer.Adam;

    /// <summary>The step size η. Default 0.001; greater than 0 and finite.</summary>
    public float LearningRate = 0.001f;

    /// <summary>Momentum μ of <see cref="MlpOptimizer.Sgd"/>; 0 is plain SGD. Default 0.9; 0 to less than 1.</summary>
    public float Momentum = 0.9f;

    /// <summary>Use Nesterov's momentum with <see cref="MlpOptimizer.Sgd"/>. Default <see langword="true"/>, as in scikit-learn.</summary>
    public bool UseNesterov = true;

    /// <summary>Adam's decay rate for the first moment. Default 0.9; 0 to less than 1.</summary>
    public float Beta1 = 0.9f;

    /// <summary>Adam's decay rate for the second moment. Default 0.999; 0 to less than 1.</summary>
    public float Beta2 = 0.999f;

    /// <summary>Adam's ε, added to the root of the second moment. Default 1e-8; greater than 0.</summary>
    public float Epsilon = 1e-8f;

    /// <summary>
    /// Rows per minibatch. Default 200. 1 is online SGD; a size at least the number of rows is full-batch
    /// gradient descent. 1 to 1,000,000.
    /// </summary>
    public int BatchSize = 200;

    /// <summary>Passes over the training data. Default 200; at least 1.</summary>
    public int NumberOfEpochs = 200;

    /// <summary>
    /// L2 penalty λ on the weights (not the biases): the loss is the mean cross-entropy of the minibatch plus
    /// λ/2·Σw², so each step adds λ·w to the weights' gradient (PyTorch's <c>weight_decay</c>). Default 1e-4; 0 or more.
    /// </summary>
    public float L2Regularization = 1e-4f;

    /// <summary>Shuffle the rows before each epoch. Default <see langword="true"/>.</summary>
    public bool Shuffle = true;

    /// <summary>
    /// Seed of the weight initialisation and the shuffling. Default <see langword="null"/>: drawn from the
    /// <c>MLContext</c>'s random source, so <c>new MLContext(seed: 0)</c> makes training repeatable.
    /// </summary>
    public int? Seed;

    /// <summary>
    /// Threads for the matrix products. Default <see langword="null"/>: all cores. 1 to 256. The result is
    /// bit-identical whatever the number of threads.
    /// </summary>
    public int? NumberOfThreads;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> or <see cref="ArgumentNullException"/> naming the first invalid option.</summary>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(LabelColumnName))
            throw new ArgumentNullException(nameof(LabelColumnName), "MlpOptions.LabelColumnName must name a column.");
        if (string.IsNullOrWhiteSpace(FeatureColumnName))
            throw new ArgumentNullException(nameof(FeatureColumnName), "MlpOptions.FeatureColumnName must name a column.");
        if (HiddenLayerSizes is null)
            throw new ArgumentNullException(nameof(HiddenLayerSizes), "MlpOptions.HiddenLayerSizes must not be null; use an empty array for no hidden layer.");
        for (int i = 0; i < HiddenLayerSizes.Length; i++)
        {
            if (HiddenLayerSizes[i] < 1 || HiddenLayerSizes[i] > 1_000_000)
                throw OutOfRange(nameof(HiddenLayerSizes), HiddenLayerSizes[i], $"each hidden layer size must be 1 to 1,000,000 (layer {i})");
        }
        if (!Enum.IsDefined(Activation))
            throw OutOfRange(nameof(Activation), Activation, "must be one of " + string.Join(", ", Enum.GetNames<MlpActivation>()));
        if (!(LeakyReLUSlope >= 0 && LeakyReLUSlope <= 1))
            throw OutOfRange(nameof(LeakyReLUSlope), LeakyReLUSlope, "must be 0 to 1");
        if (!Enum.IsDefined(Optimizer))
            throw OutOfRange(nameof(Optimizer), Optimizer, "must be one of " + string.Join(", ", Enum.GetNames<MlpOptimizer>()));
        if (!(LearningRate > 0 && float.IsFinite(LearningRate)))
            throw OutOfRange(nameof(LearningRate), LearningRate, "must be greater than 0 and finite");
        if (!(Momentum >= 0 && Momentum < 1))
            throw OutOfRange(nameof(Momentum), Momentum, "must be 0 to less than 1");
        if (!(Beta1 >= 0 && Beta1 < 1))
            throw OutOfRange(nameof(Beta1), Beta1, "must be 0 to less than 1");
        if (!(Beta2 >= 0 && Beta2 < 1))
            throw OutOfRange(nameof(Beta2), Beta2, "must be 0 to less than 1");
        if (!(Epsilon > 0 && float.IsFinite(Epsilon)))
            throw OutOfRange(nameof(Epsilon), Epsilon, "must be greater than 0 and finite");
        if (BatchSize < 1 || BatchSize > 1_000_000)
            throw OutOfRange(nameof(BatchSize), BatchSize, "must be 1 to 1,000,000");
        if (NumberOfEpochs < 1)
            throw OutOfRange(nameof(NumberOfEpochs), NumberOfEpochs, "must be at least 1");
        if (!(L2Regularization >= 0 && float.IsFinite(L2Regularization)))
            throw OutOfRange(nameof(L2Regularization), L2Regularization, "must be 0 or more and finite");
        if (NumberOfThreads is int threads && (threads < 1 || threads > 256))
            throw OutOfRange(nameof(NumberOfThreads), threads, "must be 1 to 256, or null for all cores");
    }

    /// <summary>A copy that later changes to this instance do not affect.</summary>
    internal MlpOptions Clone()
    {
        var copy = (MlpOptions)MemberwiseClone();
        copy.HiddenLayerSizes = (int[])HiddenLayerSizes.Clone();
        return copy;
    }

    private static ArgumentOutOfRangeException OutOfRange(string option, object? value, string rule)
        => new(option, value, $"MlpOptions.{option} {rule}; got {value}.");
}
