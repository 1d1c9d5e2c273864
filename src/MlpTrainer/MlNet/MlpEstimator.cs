using System.ComponentModel;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MlpTrainer.Data;
using MlpTrainer.Model;
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
    private static readonly TrainerInfo TrainerInfo = new(normalization: true, caching: false, supportValid: true, supportIncrementalTrain: true);

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

    /// <summary>
    /// Trains on <paramref name="trainData"/> and reports the loss and accuracy on <paramref name="validationData"/> after
    /// every epoch (in the log, <see cref="MlpOptions.Progress"/> and the model's history); early stopping and
    /// <see cref="MlpLearningRateSchedule.ReduceOnPlateau"/> then watch the validation data.
    /// </summary>
    public MulticlassPredictionTransformer<MlpModelParameters> Fit(IDataView trainData, IDataView validationData)
        => TrainTransformer(trainData, validationSet: validationData);

    /// <summary>
    /// Continues training <paramref name="initialModel"/> (warm start) for <see cref="MlpOptions.NumberOfEpochs"/> more
    /// epochs. The model must have the shape these options and data give (features, hidden sizes, activation, classes);
    /// its history carries on. The optimizer's state starts afresh (a checkpoint keeps it: see
    /// <see cref="MlpOptions.CheckpointDirectory"/>).
    /// </summary>
    public MulticlassPredictionTransformer<MlpModelParameters> Fit(IDataView trainData, MlpModelParameters initialModel)
        => TrainTransformer(trainData, initPredictor: initialModel ?? throw new ArgumentNullException(nameof(initialModel)));

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
        DenseDataset train = ReadRows(ch, context.TrainingSet.Data, "training");
        int seed = options.Seed ?? Host.Rand.Next();
        TrainingData data;
        if (context.ValidationSet is not null)
        {
            DenseDataset validation = ReadRows(ch, context.ValidationSet.Data, "validation");
            if (validation.FeatureCount != train.FeatureCount || validation.ClassCount != train.ClassCount)
                throw Host.Except($"The validation data has {validation.FeatureCount} features and {validation.ClassCount} classes; the training data has {train.FeatureCount} and {train.ClassCount}.");
            if (options.ValidationFraction > 0)
                ch.Info("Validation data was given, so ValidationFraction is not used.");
            data = new TrainingData(train, TrainingData.AllRows(train), validation, TrainingData.AllRows(validation));
        }
        else if (options.ValidationFraction > 0)
        {
            data = TrainingData.SplitStratified(train, options.ValidationFraction, seed);
            ch.Info($"Holding out {data.ValidationRows!.Length} of {train.RowCount} rows (stratified) for validation.");
        }
        else
        {
            data = new TrainingData(train, TrainingData.AllRows(train), null, null);
        }
        if (data.TrainRows.Length == 0)
            throw Host.Except("No training rows are left after holding out the validation rows; lower ValidationFraction.");

        var sizes = new List<int> { train.FeatureCount };
        sizes.AddRange(options.HiddenLayerSizes);
        sizes.Add(train.ClassCount);
        var layout = new NetworkLayout(sizes);
        int threads = options.NumberOfThreads ?? Environment.ProcessorCount;

        float[] parameters;
        IReadOnlyList<MlpEpochReport> priorHistory = Array.Empty<MlpEpochReport>();
        if (context.InitialPredictor is not null)
        {
            if (context.InitialPredictor is not MlpModelParameters initial)
                throw Host.Except($"An MLP can continue training only from MlpModelParameters, not from {context.InitialPredictor.GetType().Name}.");
            if (!initial.Network.Layout.SameShapeAs(layout) || initial.HiddenActivation != options.Activation)
                throw Host.Except($"The initial model is a {initial.Network.Layout} {initial.HiddenActivation} network; these options and data make a {layout} {options.Activation} network. " +
                                  "Use the same HiddenLayerSizes, Activation, features and classes to continue training.");
            parameters = initial.Network.Parameters.ToArray();
            priorHistory = initial.TrainingHistory;
            ch.Info($"Continuing from a model trained for {initial.EpochsTrained} epochs (the optimizer starts afresh).");
        }
        else
        {
            parameters = WeightInitializer.Initialize(layout, options.Activation, SeedSequence.Create(seed, SeedSequence.Stream.Initialization));
        }

        ulong fingerprint = RunFingerprint.Compute(data, options, seed, parameters);
        TrainingCheckpoint? resume = options.ResumeFromCheckpoint ? TrainingCheckpoint.TryRead(options.CheckpointDirectory!) : null;
        if (resume is not null)
            ch.Info($"Resuming from the checkpoint in '{options.CheckpointDirectory}' after epoch {resume.EpochsCompleted}.");

        ch.Info($"Training a {layout} MLP ({layout.ParameterCount} parameters) on {data.TrainRows.Length} rows: {options.Optimizer}, " +
                $"learning rate {options.LearningRate} ({options.LearningRateSchedule}), batch {options.BatchSize}, {options.NumberOfEpochs} epochs, seed {seed}, {threads} threads.");
        TrainingLoop.Result result = new TrainingLoop(options, layout, seed, threads).Run(data, parameters, priorHistory, fingerprint, resume,
            Host.CheckAlive,
            report =>
            {
                string validation = report.ValidationLoss is double vl ? $", validation loss {vl:F6}, accuracy {report.ValidationAccuracy:F4}" : "";
                ch.Info($"Epoch {report.Epoch}: training loss {report.TrainingLoss:F6}{validation}, learning rate {report.LearningRate:G4}, {report.Seconds:F2} s.");
                options.Progress?.Report(report);
            });
        if (result.StoppedEarly)
            ch.Info($"Stopped early after epoch {result.History[^1].Epoch}: no improvement for {options.EarlyStoppingPatience} epochs; " +
                    (options.RestoreBestWeights ? $"keeping the weights of epoch {result.BestEpoch}." : "keeping the last weights."));
        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(parameters))
            throw Host.Except($"Training diverged: the weights are not finite after the last update. Lower MlpOptions.LearningRate (now {options.LearningRate}).");

        var network = new MlpNetwork(layout, options.Activation, options.LeakyReLUSlope, parameters);
        int epochsTrained = result.History.Count == 0 ? 0 : result.History[^1].Epoch;
        return new MlpModelParameters(Host, network, TrainingSettings.From(options, epochsTrained), result.History);
    }

    private DenseDataset ReadRows(IChannel ch, IDataView view, string role)
    {
        DataViewReader.Result read = DataViewReader.Read(view, FeatureColumn.Name, LabelColumn.Name, _options.CancellationToken);
        if (read.SkippedMissingLabel > 0)
            ch.Info($"Skipped {read.SkippedMissingLabel} {role} rows with a missing label.");
        if (read.SkippedBadFeatures > 0)
            ch.Info($"Skipped {read.SkippedBadFeatures} {role} rows with a NaN or infinite feature.");
        if (read.Dataset.RowCount == 0)
            throw Host.Except($"The {role} data has no usable rows: {read.SkippedMissingLabel} had a missing label and {read.SkippedBadFeatures} a NaN or infinite feature in '{FeatureColumn.Name}'.");
        return read.Dataset;
    }
}
