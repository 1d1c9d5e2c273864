using System.ComponentModel;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MlpTrainer.Data;
using MlpTrainer.Model;
using MlpTrainer.Optimizers;
using MlpTrainer.Training;

namespace MlpTrainer;

/// <summary>
/// Trains a multilayer perceptron for multiclass classification by backpropagation with minibatch SGD or Adam.
/// Use it like ML.NET's own multiclass trainers: after <c>MapValueToKey</c> on the label and a normalizer on the
/// features, append it to a pipeline (or call <c>mlContext.MulticlassClassification.Trainers.Mlp(...)</c>).
/// <c>Fit</c> returns ML.NET's <see cref="MulticlassPredictionTransformer{TModel}"/>, whose <c>Score</c> column
/// holds the class probabilities and whose <c>PredictedLabel</c> the most probable class, so
/// <c>MulticlassClassification.Evaluate</c>, <c>MapKeyToValue</c>, <c>PredictionEngine</c>, permutation feature
/// importance and <c>MLContext.Model.Save/Load</c> work as with any built-in trainer.
/// </summary>
public sealed class MlpEstimator : TrainerEstimatorBase<MulticlassPredictionTransformer<MlpModelParameters>, MlpModelParameters>
{
    internal const string LoadName = "MlpMulticlass";
    private static readonly TrainerInfo TrainerInfo = new(normalization: true, caching: false);

    private readonly MlpOptions _options;

    /// <summary>Creates the trainer. The options are checked and copied: later changes to them have no effect.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its documented range; the message names it.</exception>
    public MlpEstimator(MLContext mlContext, MlpOptions options)
        : this(CheckContext(mlContext), CheckOptions(options))
    {
    }

    private MlpEstimator(IHostEnvironment env, MlpOptions options)
        : base(Contracts.CheckRef(env, nameof(env)).Register(LoadName),
               TrainerUtils.MakeR4VecFeature(options.FeatureColumnName),
               TrainerUtils.MakeU4ScalarColumn(options.LabelColumnName))
    {
        _options = options;
    }

    /// <summary>The options this trainer was created with (a copy; changing it has no effect).</summary>
    public MlpOptions Options => _options.Clone();

    /// <summary>Part of ML.NET's trainer protocol: the trainer wants normalized features and does its own caching.</summary>
    public override TrainerInfo Info => TrainerInfo;

    /// <summary>Part of ML.NET's trainer protocol, called by <c>Fit</c>; not for direct use.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public override PredictionKind PredictionKind => PredictionKind.MulticlassClassification;

    internal static MlpEstimator Create(IHostEnvironment env, MlpOptions options) => new(env, CheckOptions(options));

    private static IHostEnvironment CheckContext(MLContext mlContext)
        => mlContext ?? throw new ArgumentNullException(nameof(mlContext));

    private static MlpOptions CheckOptions(MlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.Clone();
    }

    /// <summary>Part of ML.NET's trainer protocol, called by <c>Fit</c>; not for direct use.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public override void CheckLabelCompatible(SchemaShape.Column labelCol)
    {
        if (!labelCol.IsKey || labelCol.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw Host.ExceptSchemaMismatch(nameof(labelCol), "label", LabelColumn.Name, "Key", labelCol.GetTypeString());
    }

    /// <summary>Part of ML.NET's trainer protocol, called by <c>Fit</c>; not for direct use.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public override SchemaShape.Column[] GetOutputColumnsCore(SchemaShape inputSchema)
    {
        if (!inputSchema.TryFindColumn(LabelColumn.Name, out SchemaShape.Column labelCol))
            throw Host.ExceptSchemaMismatch(nameof(inputSchema), "label", LabelColumn.Name);
        var predictedLabelAnnotations = new SchemaShape(labelCol.Annotations
            .Where(a => a.Name == AnnotationUtils.Kinds.KeyValues)
            .Concat(AnnotationUtils.GetTrainerOutputAnnotation()));
        return new[]
        {
            new SchemaShape.Column(DefaultColumnNames.Score, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false,
                new SchemaShape(AnnotationUtils.AnnotationsForMulticlassScoreColumn(labelCol))),
            new SchemaShape.Column(DefaultColumnNames.PredictedLabel, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true,
                predictedLabelAnnotations),
        };
    }

    /// <summary>Part of ML.NET's trainer protocol, called by <c>Fit</c>; not for direct use.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public override MulticlassPredictionTransformer<MlpModelParameters> MakeTransformer(MlpModelParameters model, DataViewSchema trainSchema)
        => new(Host, model, trainSchema, FeatureColumn.Name, LabelColumn.Name);

    /// <summary>Part of ML.NET's trainer protocol, called by <c>Fit</c>; not for direct use.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public override MlpModelParameters TrainModelCore(TrainContext context)
    {
        Host.CheckValue(context, nameof(context));
        MlpOptions options = _options;
        options.Validate();

        using IChannel ch = Host.Start("Training");
        DataViewReader.Result read = DataViewReader.Read(context.TrainingSet.Data, FeatureColumn.Name, LabelColumn.Name);
        DenseDataset data = read.Dataset;
        if (read.SkippedMissingLabel > 0)
            ch.Info($"Skipped {read.SkippedMissingLabel} rows with a missing label.");
        if (read.SkippedBadFeatures > 0)
            ch.Info($"Skipped {read.SkippedBadFeatures} rows with a NaN or infinite feature.");
        if (data.RowCount == 0)
            throw Host.Except($"The training data has no usable rows: {read.SkippedMissingLabel} had a missing label and {read.SkippedBadFeatures} a NaN or infinite feature in '{FeatureColumn.Name}'.");

        var sizes = new List<int> { data.FeatureCount };
        sizes.AddRange(options.HiddenLayerSizes);
        sizes.Add(data.ClassCount);
        var layout = new NetworkLayout(sizes);
        int seed = options.Seed ?? Host.Rand.Next();
        int threads = options.NumberOfThreads ?? Environment.ProcessorCount;
        var random = new Random(seed);
        ch.Info($"Training a {layout} MLP ({layout.ParameterCount} parameters) on {data.RowCount} rows: {options.Optimizer}, " +
                $"learning rate {options.LearningRate}, batch {options.BatchSize}, {options.NumberOfEpochs} epochs, seed {seed}, {threads} threads.");

        float[] parameters = WeightInitializer.Initialize(layout, options.Activation, random);
        Optimizer optimizer = Optimizer.Create(options, layout);
        var shuffler = new EpochShuffler(data.RowCount, options.Shuffle, random);
        using (var trainer = new BackpropTrainer(layout, options.Activation, options.LeakyReLUSlope, Math.Min(options.BatchSize, data.RowCount), threads))
        {
            trainer.Train(data, parameters, optimizer, options.LearningRate, options.NumberOfEpochs, shuffler,
                Host.CheckAlive,
                e => ch.Info($"Epoch {e.Epoch}/{options.NumberOfEpochs}: loss {e.MeanLoss:F6}, {e.Duration.TotalSeconds:F2} s."));
        }
        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(parameters))
            throw Host.Except($"Training diverged: the weights are not finite after the last update. Lower MlpOptions.LearningRate (now {options.LearningRate}).");

        var network = new MlpNetwork(layout, options.Activation, options.LeakyReLUSlope, parameters);
        return new MlpModelParameters(Host, network, TrainingSettings.From(options, options.NumberOfEpochs));
    }
}
