using MlpTrainer.Model;
using MlpTrainer.Training;

namespace MlpTrainer;

/// <summary>
/// Options for the multilayer-perceptron trainers. Defaults follow scikit-learn's <c>MLPClassifier</c>
/// wherever ML.NET has no convention of its own, except three chosen so that default options do well on small tables
/// without tuning: regression standardises its label (<see cref="NormalizeLabel"/>), the L2 penalty is 1e-3 and not
/// scaled by the batch size (<see cref="L2Regularization"/>), and training stops when the loss stalls
/// (<see cref="EarlyStoppingPatience"/>). Four options are <see langword="null"/> by default and chosen from the data
/// when <c>Fit</c> has decided between a dense and a sparse first layer (<see cref="SparseFeatures"/>):
/// <see cref="HiddenLayerSizes"/>, <see cref="LearningRate"/>, <see cref="ValidationFraction"/> and
/// <see cref="EarlyStoppingPatience"/> keep scikit-learn's values for dense features and take ones measured on text for
/// sparse features; the log names the values chosen. An option set away from its default that the task or optimizer
/// ignores is named in a logged warning. Every option is checked when the estimator is created
/// and again when it is fitted; an out-of-range value throws <see cref="ArgumentOutOfRangeException"/>
/// naming the option.
/// </summary>
public sealed class MlpOptions
{
    /// <summary>
    /// The label column. Default <c>"Label"</c>. Multiclass: a key type (use <c>MapValueToKey</c>); binary: Boolean;
    /// regression: Single.
    /// </summary>
    public string LabelColumnName = "Label";

    /// <summary>The feature column: a known-size vector of <see cref="float"/>. Default <c>"Features"</c>.</summary>
    public string FeatureColumnName = "Features";

    /// <summary>
    /// An optional Single column of row weights: each row's loss is scaled by its weight (a minibatch's loss is
    /// Σ wᵣℓᵣ / Σ wᵣ, so a row of weight 2 counts as the row twice). Rows with a negative, NaN or infinite weight are
    /// skipped. Default <see langword="null"/>: every row weighs 1.
    /// </summary>
    public string? ExampleWeightColumnName;

    /// <summary>
    /// Classification: a weight per class, keyed by the label's value as text (for keys made by <c>MapValueToKey</c>,
    /// the original value, e.g. <c>"cat"</c> or <c>"3"</c>; for binary labels <c>"True"</c> and <c>"False"</c>, any case).
    /// Classes not named keep weight 1; a row's weight is its class weight times its example weight.
    /// Default <see langword="null"/>. Weights are greater than 0 and finite.
    /// </summary>
    public IReadOnlyDictionary<string, float>? ClassWeights;

    /// <summary>
    /// Classification: weight each class by n / (k · nᵢ) — n rows, k classes, nᵢ rows of class i — as scikit-learn's
    /// <c>class_weight="balanced"</c>, so every class contributes equally to the loss. Default <see langword="false"/>;
    /// not together with <see cref="ClassWeights"/>.
    /// </summary>
    public bool UseBalancedClassWeights;

    /// <summary>Regression: the loss. Default <see cref="MlpRegressionLoss.SquaredError"/>.</summary>
    public MlpRegressionLoss RegressionLoss = MlpRegressionLoss.SquaredError;

    /// <summary>
    /// Regression with <see cref="MlpRegressionLoss.Huber"/>: the residual where the loss turns linear. Default 1; greater
    /// than 0. With <see cref="NormalizeLabel"/> it is in standardised units (standard deviations of the label).
    /// </summary>
    public float HuberDelta = 1f;

    /// <summary>
    /// Regression: standardise the targets (subtract their mean, divide by their standard deviation, each row counted by its
    /// weight as in the loss, so a row of weight 2 counts as the row twice) for training and
    /// store the scaling in the model, so <c>Score</c> is in the label's own units. Networks train best on targets of
    /// about unit scale, and the L2 term and the tolerances are then in units that do not depend on the label's. The
    /// losses in the training history are in standardised units. Default <see langword="null"/>: on for regression
    /// (a default since issue 15: on a small regression table, unscaled targets left the default network far worse than a
    /// linear model). <see langword="false"/> trains on the label as it is. Classification has no label to scale: setting
    /// it there is logged as ignored.
    /// </summary>
    public bool? NormalizeLabel;

    /// <summary>
    /// Units in each hidden layer, input side first. Each size is 1 to 1,000,000; an empty array gives a network with no
    /// hidden layer (multinomial logistic regression). Default <see langword="null"/>: chosen from the data —
    /// <c>{ 100 }</c> for a dense first layer, <c>{ 32 }</c> for a sparse one (<see cref="SparseFeatures"/>: text, hashed
    /// or one-hot features tens of thousands of slots wide, where the first layer's width sets the cost of every step and
    /// 32 units were as accurate as 100 on the text tables measured).
    /// </summary>
    public int[]? HiddenLayerSizes;

    /// <summary>The activation of every hidden layer. Default <see cref="MlpActivation.ReLU"/>.</summary>
    public MlpActivation Activation = MlpActivation.ReLU;

    /// <summary>The slope for negative inputs of <see cref="MlpActivation.LeakyReLU"/>. Default 0.01; 0 to 1.</summary>
    public float LeakyReLUSlope = 0.01f;

    /// <summary>The optimizer. Default <see cref="MlpOptimizer.Adam"/>.</summary>
    public MlpOptimizer Optimizer = MlpOptimizer.Adam;

    /// <summary>
    /// The step size η; greater than 0 and finite. Default <see langword="null"/>: chosen from the data — 0.001 (as in
    /// scikit-learn) for a dense first layer, 0.005 for a sparse one, whose rare slots see few updates per epoch.
    /// L-BFGS ignores it (its line search chooses every step).
    /// </summary>
    public float? LearningRate;

    /// <summary>Momentum μ of <see cref="MlpOptimizer.Sgd"/>; 0 is plain SGD. Default 0.9; 0 to less than 1.</summary>
    public float Momentum = 0.9f;

    /// <summary>Use Nesterov's momentum with <see cref="MlpOptimizer.Sgd"/>. Default <see langword="true"/>, as in scikit-learn.</summary>
    public bool UseNesterov = true;

    /// <summary>Adam's decay rate for the first moment. Default 0.9; 0 to less than 1.</summary>
    public float Beta1 = 0.9f;

    /// <summary>Adam's decay rate for the second moment. Default 0.999; 0 to less than 1.</summary>
    public float Beta2 = 0.999f;

    /// <summary>Adam's, AdamW's and RMSProp's ε, added to the root of the second moment. Default 1e-8; greater than 0.</summary>
    public float Epsilon = 1e-8f;

    /// <summary>RMSProp's decay rate ρ of the squared-gradient average. Default 0.99 (PyTorch's); 0 to less than 1.</summary>
    public float RmsPropDecay = 0.99f;

    /// <summary>How the learning rate changes during training. Default <see cref="MlpLearningRateSchedule.Constant"/>.</summary>
    public MlpLearningRateSchedule LearningRateSchedule = MlpLearningRateSchedule.Constant;

    /// <summary>The exponent of <see cref="MlpLearningRateSchedule.InverseScaling"/>. Default 0.5, as in scikit-learn; 0 or more.</summary>
    public float PowerT = 0.5f;

    /// <summary>Epochs between drops of <see cref="MlpLearningRateSchedule.Step"/>. Default 10; at least 1.</summary>
    public int StepEpochs = 10;

    /// <summary>The factor of each drop of <see cref="MlpLearningRateSchedule.Step"/>. Default 0.1; greater than 0, at most 1.</summary>
    public float StepGamma = 0.1f;

    /// <summary>Epochs of linear warm-up before <see cref="MlpLearningRateSchedule.Cosine"/> annealing. Default 0; 0 or more, fewer than <see cref="NumberOfEpochs"/>.</summary>
    public int WarmupEpochs;

    /// <summary>The floor of <see cref="MlpLearningRateSchedule.Cosine"/> and <see cref="MlpLearningRateSchedule.ReduceOnPlateau"/>. Default 0; 0 or more, below <see cref="LearningRate"/>.</summary>
    public float MinimumLearningRate;

    /// <summary>The factor of each reduction of <see cref="MlpLearningRateSchedule.ReduceOnPlateau"/>. Default 0.2 (scikit-learn divides by 5); greater than 0, less than 1.</summary>
    public float PlateauFactor = 0.2f;

    /// <summary>Epochs without improvement before <see cref="MlpLearningRateSchedule.ReduceOnPlateau"/> reduces the rate. Default 2, as in scikit-learn; at least 1.</summary>
    public int PlateauPatience = 2;

    /// <summary>
    /// Rows per minibatch. Default 200. 1 is online SGD; a size at least the number of rows is full-batch
    /// gradient descent. Not used by <see cref="MlpOptimizer.Lbfgs"/>, which always takes the gradient of every row. 1 to 1,000,000.
    /// </summary>
    public int BatchSize = 200;

    /// <summary>Passes over the training data; with <see cref="MlpOptimizer.Lbfgs"/>, the most iterations. Default 200; at least 1.</summary>
    public int NumberOfEpochs = 200;

    /// <summary>
    /// L2 penalty λ on the weights (not the biases): the objective is the weighted mean loss of the rows plus λ/2·Σw², so
    /// each minibatch step adds λ·w to the weights' gradient (PyTorch's <c>weight_decay</c>), and L-BFGS minimises the same
    /// objective over all rows. The strength does not depend on the batch size or the row count. scikit-learn's
    /// <c>alpha</c> is scaled differently: it adds α/(2·b)·Σw² to the mean loss of a batch of b rows, so its α = 1e-4 is
    /// λ = 1e-4/b here (5e-7 at batch 200). Default 1e-3 (1e-4 before issue 15; on scikit-learn's small tables 1e-3 did as
    /// well or slightly better, see the README); 0 or more.
    /// </summary>
    public float L2Regularization = 1e-3f;

    /// <summary>
    /// The probability of zeroing each hidden unit's output during training (inverted dropout: kept outputs are scaled by
    /// 1/(1 − p), so scoring uses the network as it is). Applied after every hidden layer, only while training, with masks
    /// drawn from the seed. Default 0 (no dropout); 0 to less than 1.
    /// </summary>
    public float DropoutRate;

    /// <summary>Shuffle the rows before each epoch. Default <see langword="true"/>.</summary>
    public bool Shuffle = true;

    /// <summary>
    /// The share of the training rows held out as validation data, drawn with the seed and stratified by label, when
    /// <c>Fit</c> is not given validation data. When the training data is streamed (see <see cref="StreamingShuffleBufferRows"/>),
    /// rows are held out by a seeded hash of their position instead (about, not exactly, this share; not stratified) and the
    /// held-out rows are kept in memory. 0 to less than 1; 0 holds out none. Default <see langword="null"/>: chosen from
    /// the data — 0 for a dense first layer; 0.1 for a sparse one, whose training loss keeps falling long after it stops
    /// generalising, so early stopping watches held-out rows (and the best epoch's weights are kept).
    /// </summary>
    public float? ValidationFraction;

    /// <summary>
    /// How the training data is held. 0 (default, automatic): read once into memory as a compact float matrix, unless its
    /// estimated size (rows × features × 4 bytes, when the data view knows its row count) is above
    /// <see cref="InMemoryLimitBytes"/>; then stream it with a buffer of up to 64 MiB of rows. A positive value: always
    /// stream — every epoch reads the data view again with a new row cursor and shuffles through a buffer of this many rows
    /// (fill the buffer, then emit a random buffered row for each row read, then the rest in random order), so memory stays
    /// near buffer + model. A bounded buffer shuffles less thoroughly than the in-memory path (a row moves at most about
    /// this many places earlier); a buffer at least the number of rows shuffles fully and trains exactly as in memory.
    /// With streaming and <see cref="ValidationFraction"/>, each row is held out by a seeded hash of its position (not
    /// stratified), and the held-out rows are kept in memory. 0 or more; a positive value is at least <see cref="BatchSize"/>.
    /// </summary>
    public int StreamingShuffleBufferRows;

    /// <summary>
    /// With <see cref="StreamingShuffleBufferRows"/> = 0, the largest size in bytes of the training rows held in memory
    /// (dense rows: features × 4 bytes each; sparse rows: about 8 bytes per non-zero); larger data is streamed. A data view
    /// that knows its row count is measured before reading; one that does not (such as a text loader) is read into memory
    /// until it passes the limit, and then streamed. Default <see langword="null"/>: half the memory available to the
    /// process (<c>GC.GetGCMemoryInfo().TotalAvailableMemoryBytes</c> / 2). At least 1.
    /// </summary>
    public long? InMemoryLimitBytes;

    /// <summary>
    /// Whether the features are sparse: held as their non-zero values only and fed to an input-major first layer that
    /// reads, and updates, only the weight rows of the slots present in a minibatch (lazy updates: see the README). Made
    /// for text, hashed and one-hot features that are thousands to millions of slots wide with a handful of non-zeros per
    /// row. Default <see langword="null"/>: decided from the data — sparse when at most 1/16 of the slots are non-zero on
    /// average over the first 1,000 rows. <see langword="true"/> or <see langword="false"/> forces the choice.
    /// </summary>
    public bool? SparseFeatures;

    /// <summary>
    /// Whether the network standardises dense features itself: training sees each feature centred on its training mean
    /// and divided by its standard deviation (columns holding only 0 and 1, such as one-hot ones, are left as they are),
    /// and the transform is folded into the first layer afterwards, so the saved model takes the features as the pipeline
    /// gives them. A normalizer in the pipeline is then optional. Default <see langword="true"/>; a sparse first layer
    /// (text, hashed, one-hot features) never standardises, since centring would fill in every zero.
    /// <see langword="false"/> trains on the features as given (before issue 20, the only behaviour).
    /// </summary>
    public bool StandardizeFeatures = true;

    /// <summary>
    /// Stop when <see cref="EarlyStoppingMetric"/> has not improved by more than <see cref="EarlyStoppingTolerance"/> for this many
    /// epochs (L-BFGS: iterations) in a row. Without validation data the training loss is watched, as scikit-learn does.
    /// 0 turns it off: train for <see cref="NumberOfEpochs"/>. 0 or more. Default <see langword="null"/>: chosen from the
    /// data — 10, scikit-learn's <c>n_iter_no_change</c>, for a dense first layer; 3 for a sparse one, which watches its
    /// held-out rows (<see cref="ValidationFraction"/>) and overfits within a few epochs of its best.
    /// </summary>
    public int? EarlyStoppingPatience;

    /// <summary>The smallest change of the watched metric that counts as an improvement; with <see cref="MlpOptimizer.Lbfgs"/> also the gradient component below which it has converged (scikit-learn's <c>tol</c> for both). Default 1e-4, as in scikit-learn; 0 or more.</summary>
    public double EarlyStoppingTolerance = 1e-4;

    /// <summary>What early stopping watches. Default <see cref="MlpEarlyStoppingMetric.Loss"/>.</summary>
    public MlpEarlyStoppingMetric EarlyStoppingMetric = MlpEarlyStoppingMetric.Loss;

    /// <summary>When early stopping is on, return the weights of the best epoch rather than the last. Default <see langword="true"/>.</summary>
    public bool RestoreBestWeights = true;

    /// <summary>
    /// Seed of the weight initialisation and the shuffling. Default <see langword="null"/>: drawn from the
    /// <c>MLContext</c>'s random source, so <c>new MLContext(seed: 0)</c> makes training repeatable.
    /// </summary>
    public int? Seed;

    /// <summary>
    /// Threads for the matrix products. Default <see langword="null"/>: all cores, or one when a minibatch is too little
    /// work to share (under about 2 million multiply-adds, such as a small table's network), where waking other threads
    /// would cost more than it saves. 1 to 256. The result is bit-identical whatever the number of threads.
    /// </summary>
    public int? NumberOfThreads;

    /// <summary>Receives an <see cref="MlpEpochReport"/> after every epoch, for progress bars and live charts. Not saved with the model.</summary>
    public IProgress<MlpEpochReport>? Progress;

    /// <summary>
    /// Cancels training: <c>Fit</c> stops within one minibatch with an <see cref="OperationCanceledException"/>. Not saved with
    /// the model. (ML.NET's own cancellation, which AutoML uses, is also checked every minibatch.)
    /// </summary>
    public CancellationToken CancellationToken;

    /// <summary>
    /// A folder for checkpoints: every <see cref="CheckpointEveryEpochs"/> epochs the weights, the optimizer's state and the
    /// history are written to <c>mlp-checkpoint.bin</c> there, atomically (a temporary file renamed over the old one).
    /// Default <see langword="null"/>: no checkpoints.
    /// </summary>
    public string? CheckpointDirectory;

    /// <summary>Epochs between checkpoints. Default 1; at least 1.</summary>
    public int CheckpointEveryEpochs = 1;

    /// <summary>
    /// Continue from the checkpoint in <see cref="CheckpointDirectory"/> when there is one (else start afresh): a training run
    /// that was killed resumes after its last checkpoint and ends with the same weights as a run that was never interrupted.
    /// The checkpoint must come from the same data, options and seed. Default <see langword="false"/>.
    /// </summary>
    public bool ResumeFromCheckpoint;

    /// <summary>
    /// Data-parallel training across processes or machines: this process's member of the group of workers that train the
    /// model together (<c>MpiWorkerGroup</c>, in the package <c>MlpTrainer.Mpi</c>, runs them under <c>mpiexec</c>). Every worker
    /// fits the same pipeline on the same data with the same options (a fixed <see cref="Seed"/>); each takes the rows at
    /// positions rank, rank + N, … of every global minibatch of <see cref="BatchSize"/> rows, the gradients and the
    /// validation sums are summed across the workers, and every worker takes the same step, so all end with the same
    /// weights, those of one process up to the order of the sums. Differing options or data are detected at the start and
    /// named in an error on every worker. Only worker 0 writes checkpoints (a <see cref="CheckpointDirectory"/> that every
    /// worker can read, to resume); save the model on worker 0. Dense first layers only: with
    /// <see cref="SparseFeatures"/> the run is refused. Default <see langword="null"/>: this process trains alone.
    /// </summary>
    public MlpWorkerGroup? Workers;

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/>, <see cref="ArgumentNullException"/> or <see cref="ArgumentException"/>
    /// naming the first option that is invalid, on its own or for <paramref name="task"/>.
    /// </summary>
    internal void Validate(MlpTask task)
    {
        if (task == MlpTask.Regression && (ClassWeights is not null || UseBalancedClassWeights))
            throw new ArgumentException("MlpOptions.ClassWeights and UseBalancedClassWeights are for classification; a regression has no classes.",
                ClassWeights is not null ? nameof(ClassWeights) : nameof(UseBalancedClassWeights));
        if (string.IsNullOrWhiteSpace(LabelColumnName))
            throw new ArgumentNullException(nameof(LabelColumnName), "MlpOptions.LabelColumnName must name a column.");
        if (string.IsNullOrWhiteSpace(FeatureColumnName))
            throw new ArgumentNullException(nameof(FeatureColumnName), "MlpOptions.FeatureColumnName must name a column.");
        if (ExampleWeightColumnName is not null && string.IsNullOrWhiteSpace(ExampleWeightColumnName))
            throw new ArgumentException("MlpOptions.ExampleWeightColumnName must name a column, or be null for no weights.", nameof(ExampleWeightColumnName));
        if (ClassWeights is not null)
        {
            if (UseBalancedClassWeights)
                throw new ArgumentException("Set MlpOptions.ClassWeights or UseBalancedClassWeights, not both.", nameof(ClassWeights));
            foreach ((string label, float weight) in ClassWeights)
            {
                if (!(weight > 0 && float.IsFinite(weight)))
                    throw OutOfRange(nameof(ClassWeights), weight, $"weights must be greater than 0 and finite (class '{label}')");
            }
        }
        if (!Enum.IsDefined(RegressionLoss))
            throw OutOfRange(nameof(RegressionLoss), RegressionLoss, "must be one of " + string.Join(", ", Enum.GetNames<MlpRegressionLoss>()));
        if (!(HuberDelta > 0 && float.IsFinite(HuberDelta)))
            throw OutOfRange(nameof(HuberDelta), HuberDelta, "must be greater than 0 and finite");
        for (int i = 0; HiddenLayerSizes is not null && i < HiddenLayerSizes.Length; i++)
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
        if (LearningRate is float rate && !(rate > 0 && float.IsFinite(rate)))
            throw OutOfRange(nameof(LearningRate), rate, "must be greater than 0 and finite, or null to choose it from the data");
        if (!(Momentum >= 0 && Momentum < 1))
            throw OutOfRange(nameof(Momentum), Momentum, "must be 0 to less than 1");
        if (!(Beta1 >= 0 && Beta1 < 1))
            throw OutOfRange(nameof(Beta1), Beta1, "must be 0 to less than 1");
        if (!(Beta2 >= 0 && Beta2 < 1))
            throw OutOfRange(nameof(Beta2), Beta2, "must be 0 to less than 1");
        if (!(Epsilon > 0 && float.IsFinite(Epsilon)))
            throw OutOfRange(nameof(Epsilon), Epsilon, "must be greater than 0 and finite");
        if (!(RmsPropDecay >= 0 && RmsPropDecay < 1))
            throw OutOfRange(nameof(RmsPropDecay), RmsPropDecay, "must be 0 to less than 1");
        if (!Enum.IsDefined(LearningRateSchedule))
            throw OutOfRange(nameof(LearningRateSchedule), LearningRateSchedule, "must be one of " + string.Join(", ", Enum.GetNames<MlpLearningRateSchedule>()));
        if (!(PowerT >= 0 && float.IsFinite(PowerT)))
            throw OutOfRange(nameof(PowerT), PowerT, "must be 0 or more and finite");
        if (StepEpochs < 1)
            throw OutOfRange(nameof(StepEpochs), StepEpochs, "must be at least 1");
        if (!(StepGamma > 0 && StepGamma <= 1))
            throw OutOfRange(nameof(StepGamma), StepGamma, "must be greater than 0 and at most 1");
        if (WarmupEpochs < 0 || (WarmupEpochs > 0 && WarmupEpochs >= NumberOfEpochs))
            throw OutOfRange(nameof(WarmupEpochs), WarmupEpochs, $"must be 0 or more and fewer than NumberOfEpochs ({NumberOfEpochs})");
        // An automatic learning rate is at least the dense one, so that bound holds for every choice.
        float learningRate = LearningRate ?? AutomaticDefaults.Dense.LearningRate;
        if (!(MinimumLearningRate >= 0 && MinimumLearningRate < learningRate))
            throw OutOfRange(nameof(MinimumLearningRate), MinimumLearningRate,
                $"must be 0 or more and below LearningRate ({(LearningRate is null ? $"automatic, at least {learningRate}" : learningRate)})");
        if (!(PlateauFactor > 0 && PlateauFactor < 1))
            throw OutOfRange(nameof(PlateauFactor), PlateauFactor, "must be greater than 0 and less than 1");
        if (PlateauPatience < 1)
            throw OutOfRange(nameof(PlateauPatience), PlateauPatience, "must be at least 1");
        if (!(DropoutRate >= 0 && DropoutRate < 1))
            throw OutOfRange(nameof(DropoutRate), DropoutRate, "must be 0 to less than 1");
        if (ValidationFraction is float fraction && !(fraction >= 0 && fraction < 1))
            throw OutOfRange(nameof(ValidationFraction), fraction, "must be 0 to less than 1, or null to choose it from the data");
        if (EarlyStoppingPatience is int patience && patience < 0)
            throw OutOfRange(nameof(EarlyStoppingPatience), patience, "must be 0 (off) or more, or null to choose it from the data");
        if (!(EarlyStoppingTolerance >= 0 && double.IsFinite(EarlyStoppingTolerance)))
            throw OutOfRange(nameof(EarlyStoppingTolerance), EarlyStoppingTolerance, "must be 0 or more and finite");
        if (!Enum.IsDefined(EarlyStoppingMetric))
            throw OutOfRange(nameof(EarlyStoppingMetric), EarlyStoppingMetric, "must be one of " + string.Join(", ", Enum.GetNames<MlpEarlyStoppingMetric>()));
        if (StreamingShuffleBufferRows < 0)
            throw OutOfRange(nameof(StreamingShuffleBufferRows), StreamingShuffleBufferRows, "must be 0 (automatic) or more");
        if (StreamingShuffleBufferRows > 0 && StreamingShuffleBufferRows < BatchSize)
            throw OutOfRange(nameof(StreamingShuffleBufferRows), StreamingShuffleBufferRows, $"must be 0 (automatic) or at least BatchSize ({BatchSize})");
        if (InMemoryLimitBytes is long limit && limit < 1)
            throw OutOfRange(nameof(InMemoryLimitBytes), limit, "must be at least 1, or null for half the available memory");
        if (CheckpointEveryEpochs < 1)
            throw OutOfRange(nameof(CheckpointEveryEpochs), CheckpointEveryEpochs, "must be at least 1");
        if (CheckpointDirectory is not null && string.IsNullOrWhiteSpace(CheckpointDirectory))
            throw new ArgumentException("MlpOptions.CheckpointDirectory must name a folder, or be null for no checkpoints.", nameof(CheckpointDirectory));
        if (ResumeFromCheckpoint && CheckpointDirectory is null)
            throw new ArgumentException("MlpOptions.ResumeFromCheckpoint needs a CheckpointDirectory to resume from.", nameof(ResumeFromCheckpoint));
        if (BatchSize < 1 || BatchSize > 1_000_000)
            throw OutOfRange(nameof(BatchSize), BatchSize, "must be 1 to 1,000,000");
        if (NumberOfEpochs < 1)
            throw OutOfRange(nameof(NumberOfEpochs), NumberOfEpochs, "must be at least 1");
        if (!(L2Regularization >= 0 && float.IsFinite(L2Regularization)))
            throw OutOfRange(nameof(L2Regularization), L2Regularization, "must be 0 or more and finite");
        if (Workers is { } workers && (workers.Size < 1 || workers.Rank < 0 || workers.Rank >= workers.Size))
            throw new ArgumentOutOfRangeException(nameof(Workers), $"MlpOptions.Workers: a group of {workers.Size} workers cannot have a worker {workers.Rank}; the size is at least 1 and the rank 0 to size − 1.");
        if (NumberOfThreads is int threads && (threads < 1 || threads > 256))
            throw OutOfRange(nameof(NumberOfThreads), threads, "must be 1 to 256, or null for all cores");
        if (Optimizer == MlpOptimizer.Lbfgs)
        {
            if (DropoutRate > 0)
                throw new ArgumentException($"MlpOptions.DropoutRate ({DropoutRate}) needs a minibatch optimizer: L-BFGS minimises one fixed full-batch loss, which random masks would change at every evaluation.", nameof(DropoutRate));
            if (LearningRateSchedule != MlpLearningRateSchedule.Constant)
                throw new ArgumentException($"MlpOptions.LearningRateSchedule ({LearningRateSchedule}) means nothing with L-BFGS, whose line search chooses every step.", nameof(LearningRateSchedule));
            if (CheckpointDirectory is not null)
                throw new ArgumentException("MlpOptions.CheckpointDirectory: L-BFGS does not checkpoint (its runs are short); set CheckpointDirectory = null or use a minibatch optimizer.", nameof(CheckpointDirectory));
        }
    }

    /// <summary>
    /// Every option set to a value other than its default that <paramref name="task"/>, the optimizer, the schedule, the
    /// activation or the early-stopping setting makes meaningless, each as a sentence naming the option (the trainer logs
    /// them as warnings: the run goes on, but the value has no effect).
    /// </summary>
    internal IReadOnlyList<string> IgnoredOptions(MlpTask task)
    {
        var d = new MlpOptions();
        var ignored = new List<string>();
        void Check(bool changed, string option, string reason)
        {
            if (changed)
                ignored.Add($"MlpOptions.{option} is set but ignored: {reason}.");
        }
        string taskName = task.ToString().ToLowerInvariant();
        Check(task != MlpTask.Regression && NormalizeLabel is not null, nameof(NormalizeLabel), $"a {taskName} classification has no numeric label to standardise");
        Check(task != MlpTask.Regression && RegressionLoss != d.RegressionLoss, nameof(RegressionLoss), $"a {taskName} classification uses cross-entropy");
        Check(HuberDelta != d.HuberDelta && !(task == MlpTask.Regression && RegressionLoss == MlpRegressionLoss.Huber), nameof(HuberDelta), "it is for RegressionLoss = Huber");
        Check(LeakyReLUSlope != d.LeakyReLUSlope && Activation != MlpActivation.LeakyReLU, nameof(LeakyReLUSlope), $"the activation is {Activation}, not LeakyReLU");
        string optimizer = $"the optimizer is {Optimizer}";
        Check(Momentum != d.Momentum && Optimizer != MlpOptimizer.Sgd, nameof(Momentum), optimizer + "; momentum is for Sgd");
        Check(UseNesterov != d.UseNesterov && Optimizer != MlpOptimizer.Sgd, nameof(UseNesterov), optimizer + "; Nesterov's momentum is for Sgd");
        bool adam = Optimizer is MlpOptimizer.Adam or MlpOptimizer.AdamW;
        Check(Beta1 != d.Beta1 && !adam, nameof(Beta1), optimizer + "; it is for Adam and AdamW");
        Check(Beta2 != d.Beta2 && !adam, nameof(Beta2), optimizer + "; it is for Adam and AdamW");
        Check(Epsilon != d.Epsilon && !adam && Optimizer != MlpOptimizer.RmsProp, nameof(Epsilon), optimizer + "; it is for Adam, AdamW and RmsProp");
        Check(RmsPropDecay != d.RmsPropDecay && Optimizer != MlpOptimizer.RmsProp, nameof(RmsPropDecay), optimizer + "; it is for RmsProp");
        if (Optimizer == MlpOptimizer.Lbfgs)
        {
            Check(LearningRate is not null, nameof(LearningRate), "L-BFGS's line search chooses every step");
            Check(BatchSize != d.BatchSize, nameof(BatchSize), "L-BFGS takes the gradient of all rows at once");
            Check(Shuffle != d.Shuffle, nameof(Shuffle), "L-BFGS takes the gradient of all rows at once");
        }
        string schedule = $"the learning-rate schedule is {LearningRateSchedule}";
        Check(PowerT != d.PowerT && LearningRateSchedule != MlpLearningRateSchedule.InverseScaling, nameof(PowerT), schedule + ", not InverseScaling");
        Check(StepEpochs != d.StepEpochs && LearningRateSchedule != MlpLearningRateSchedule.Step, nameof(StepEpochs), schedule + ", not Step");
        Check(StepGamma != d.StepGamma && LearningRateSchedule != MlpLearningRateSchedule.Step, nameof(StepGamma), schedule + ", not Step");
        Check(WarmupEpochs != d.WarmupEpochs && LearningRateSchedule != MlpLearningRateSchedule.Cosine, nameof(WarmupEpochs), schedule + ", not Cosine");
        Check(MinimumLearningRate != d.MinimumLearningRate && LearningRateSchedule is not (MlpLearningRateSchedule.Cosine or MlpLearningRateSchedule.ReduceOnPlateau),
            nameof(MinimumLearningRate), schedule + ", not Cosine or ReduceOnPlateau");
        Check(PlateauFactor != d.PlateauFactor && LearningRateSchedule != MlpLearningRateSchedule.ReduceOnPlateau, nameof(PlateauFactor), schedule + ", not ReduceOnPlateau");
        Check(PlateauPatience != d.PlateauPatience && LearningRateSchedule != MlpLearningRateSchedule.ReduceOnPlateau, nameof(PlateauPatience), schedule + ", not ReduceOnPlateau");
        string noStopping = "early stopping is off (EarlyStoppingPatience = 0)";
        Check(EarlyStoppingPatience == 0 && EarlyStoppingMetric != d.EarlyStoppingMetric, nameof(EarlyStoppingMetric), noStopping);
        Check(EarlyStoppingPatience == 0 && RestoreBestWeights != d.RestoreBestWeights, nameof(RestoreBestWeights), noStopping);
        Check(EarlyStoppingPatience == 0 && EarlyStoppingTolerance != d.EarlyStoppingTolerance && Optimizer != MlpOptimizer.Lbfgs, nameof(EarlyStoppingTolerance), noStopping);
        Check(CheckpointDirectory is null && CheckpointEveryEpochs != d.CheckpointEveryEpochs, nameof(CheckpointEveryEpochs), "there is no CheckpointDirectory");
        return ignored;
    }

    // The values a training run uses: set for every option left null (chosen from the data) before the run starts.
    internal int[] RunHiddenLayerSizes => HiddenLayerSizes ?? throw Unresolved(nameof(HiddenLayerSizes));
    internal float RunLearningRate => LearningRate ?? throw Unresolved(nameof(LearningRate));
    internal float RunValidationFraction => ValidationFraction ?? throw Unresolved(nameof(ValidationFraction));
    internal int RunEarlyStoppingPatience => EarlyStoppingPatience ?? throw Unresolved(nameof(EarlyStoppingPatience));

    private static InvalidOperationException Unresolved(string option)
        => new($"MlpOptions.{option} is still null (automatic): the training run sets it from the data before it is read.");

    /// <summary>A copy that later changes to this instance do not affect.</summary>
    internal MlpOptions Clone()
    {
        var copy = (MlpOptions)MemberwiseClone();
        copy.HiddenLayerSizes = (int[]?)HiddenLayerSizes?.Clone();
        copy.ClassWeights = ClassWeights is null ? null : new Dictionary<string, float>(ClassWeights);
        return copy;
    }

    private static ArgumentOutOfRangeException OutOfRange(string option, object? value, string rule)
        => new(option, value, $"MlpOptions.{option} {rule}; got {value}.");
}
