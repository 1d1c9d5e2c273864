using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MlpTrainer.Data;
using MlpTrainer.Model;
using MlpTrainer.Training;

namespace MlpTrainer;

/// <summary>
/// What the three MLP trainers share: options, reading the data, validation, warm start, checkpoints and the
/// training loop. <see cref="MlpEstimator"/> (multiclass), <see cref="MlpBinaryEstimator"/> and
/// <see cref="MlpRegressionEstimator"/> differ only in the label they read, the output layer and its loss, and the
/// prediction transformer they return.
/// </summary>
/// <typeparam name="TTransformer">The ML.NET prediction transformer <c>Fit</c> returns.</typeparam>
/// <typeparam name="TModel">The model inside it.</typeparam>
/// <typeparam name="TOutput">What the model produces per row.</typeparam>
public abstract class MlpEstimatorBase<TTransformer, TModel, TOutput> : TrainerEstimatorBase<TTransformer, TModel>, IEstimator<TTransformer>
    where TTransformer : ISingleFeaturePredictionTransformer<TModel>
    where TModel : MlpModelParametersBase<TOutput>
{
    private static readonly TrainerInfo SharedInfo = new(normalization: true, caching: false, supportValid: true, supportIncrementalTrain: true);

    private readonly MlpOptions _options;

    private protected MlpEstimatorBase(IHostEnvironment env, string name, MlpOptions options, SchemaShape.Column label)
        : base(Contracts.CheckRef(env, nameof(env)).Register(name),
               TrainerUtils.MakeR4VecFeature(options.FeatureColumnName),
               label,
               TrainerUtils.MakeR4ScalarWeightColumn(options.ExampleWeightColumnName))
    {
        _options = options;
    }

    /// <summary>The options this trainer was created with (a copy; changing it has no effect).</summary>
    public MlpOptions Options => _options.Clone();

    /// <summary>Part of ML.NET's trainer protocol: the trainer wants normalized features, does its own caching, and supports validation and warm start.</summary>
    public override TrainerInfo Info => SharedInfo;

    /// <summary>
    /// Trains on <paramref name="trainData"/> and reports the loss (and accuracy, for classification) on
    /// <paramref name="validationData"/> after every epoch, in the log, <see cref="MlpOptions.Progress"/> and the model's
    /// history; early stopping and <see cref="MlpLearningRateSchedule.ReduceOnPlateau"/> then watch the validation data.
    /// </summary>
    public TTransformer Fit(IDataView trainData, IDataView validationData)
    {
        CheckColumns(trainData?.Schema ?? throw new ArgumentNullException(nameof(trainData)), nameof(trainData));
        CheckColumns(validationData?.Schema ?? throw new ArgumentNullException(nameof(validationData)), nameof(validationData));
        return TrainTransformer(trainData, validationSet: validationData);
    }

    /// <summary>
    /// Continues training <paramref name="initialModel"/> (warm start) for <see cref="MlpOptions.NumberOfEpochs"/> more
    /// epochs. The model must have the shape these options and data give (features, hidden sizes, activation, outputs);
    /// its history carries on. The optimizer's state starts afresh (a checkpoint keeps it: see
    /// <see cref="MlpOptions.CheckpointDirectory"/>).
    /// </summary>
    public TTransformer Fit(IDataView trainData, TModel initialModel)
    {
        CheckColumns(trainData?.Schema ?? throw new ArgumentNullException(nameof(trainData)), nameof(trainData));
        ArgumentNullException.ThrowIfNull(initialModel);
        return TrainTransformer(trainData, initPredictor: initialModel);
    }

    /// <summary>
    /// Trains on <paramref name="input"/>. Its feature, label and weight columns are checked first; a column that is
    /// missing or of the wrong kind throws <see cref="ArgumentOutOfRangeException"/> (as ML.NET's schema check does) with
    /// the transform that fixes it, e.g. <c>MapValueToKey</c> for a multiclass label, <c>ConvertType</c> to Single for
    /// Double features, <c>Concatenate</c> for separate feature columns.
    /// </summary>
    public new TTransformer Fit(IDataView input)
    {
        // The training kernels compile on another thread while the data is checked and read.
        Kernels.KernelWarmUp.Start(_options, Task);
        CheckColumns(input?.Schema ?? throw new ArgumentNullException(nameof(input)), nameof(input));
        return base.Fit(input);
    }

    /// <summary>
    /// The columns <c>Fit</c>'s transformer adds to <paramref name="inputSchema"/> (ML.NET's schema propagation, which a
    /// pipeline runs before fitting). Checks the feature, label and weight columns as <see cref="Fit(IDataView)"/> does.
    /// </summary>
    public new SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        Host.CheckValue(inputSchema, nameof(inputSchema));
        if (TrainingColumnCheck.Find(inputSchema, Task, FeatureColumn.Name, LabelColumn.Name, WeightColumn.IsValid ? WeightColumn.Name : null) is { } problem)
            throw Host.ExceptParam(nameof(inputSchema), problem.Message);
        return base.GetOutputSchema(inputSchema);
    }

    /// <summary>Throws, before ML.NET's own schema check, when the data's columns do not fit: the message names the fix.</summary>
    private void CheckColumns(DataViewSchema schema, string parameter)
    {
        if (TrainingColumnCheck.Find(schema, Task, FeatureColumn.Name, LabelColumn.Name, WeightColumn.IsValid ? WeightColumn.Name : null) is { } problem)
            throw Host.ExceptParam(parameter, problem.Message);
    }

    /// <summary>
    /// Checks the loaded ML.NET and <paramref name="options"/> for <paramref name="task"/> and returns the copy the
    /// trainer keeps. Every constructor calls it before its base constructor, so before any ML.NET internal is touched.
    /// </summary>
    private protected static MlpOptions CheckOptions(MlpOptions options, MlpTask task)
    {
        MlNetVersionCheck.ThrowIfUnsupported();
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(task);
        return options.Clone();
    }

    private protected abstract MlpTask Task { get; }

    /// <summary>The prediction transformer <c>Fit</c> would return around <paramref name="model"/>, bound to <paramref name="trainSchema"/>'s columns.</summary>
    internal TTransformer CreateTransformer(TModel model, DataViewSchema trainSchema) => MakeTransformer(model, trainSchema);

    /// <summary>Wraps a trained network in this task's model.</summary>
    private protected abstract TModel CreateModel(MlpNetwork network, TrainingSettings settings, IReadOnlyList<MlpEpochReport> history);

    /// <summary>
    /// Part of ML.NET's trainer protocol, called by <c>Fit</c>; not for direct use. Maps ML.NET's training context into
    /// the training core (the columns, the seed, ML.NET's log, cancellation and L-BFGS), runs one
    /// <see cref="TrainingRun"/>, and wraps its network as this task's model.
    /// </summary>
    private protected override TModel TrainModelCore(TrainContext context)
    {
        Host.CheckValue(context, nameof(context));
        // The training kernels compile on another thread while the data is checked and read.
        Kernels.KernelWarmUp.Start(_options, Task);
        MlpOptions options = _options;
        options.Validate(Task);

        using IChannel ch = Host.Start("Training");
        DataViewColumns columns = ResolveColumns(context.TrainingSet.Data);
        DataViewColumns? validationColumns = context.ValidationSet is null ? null : ResolveColumns(context.ValidationSet.Data);
        int seed = options.Seed ?? Host.Rand.Next();
        InitialModel? initial = null;
        if (context.InitialPredictor is not null)
        {
            if (context.InitialPredictor is not TModel model)
                throw Host.Except($"This trainer continues training only from {typeof(TModel).Name}, not from {context.InitialPredictor.GetType().Name}.");
            initial = new InitialModel(model.Network, model.TrainingHistory, model.EpochsTrained);
        }

        var preparation = new TrainingDataPreparation(Task, options, ch.Info, () => ClassNames(context.TrainingSet.Data.Schema[LabelColumn.Name], columns.ClassCount), ch.Warning);
        using PreparedTraining prepared = preparation.Prepare(columns, validationColumns, seed, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        var host = new TrainingHost
        {
            Info = ch.Info, Warning = ch.Warning, CheckAlive = Host.CheckAlive, FullBatchMinimizer = new MlNetLbfgsMinimizer(Host),
        };
        TrainingOutcome outcome = new TrainingRun(Task, options, host).Run(prepared, initial);
        return CreateModel(outcome.Network, TrainingSettings.From(prepared.Options, outcome.EpochsTrained), outcome.History);
    }

    private DataViewColumns ResolveColumns(IDataView data)
        => DataViewColumns.Resolve(data, Task, FeatureColumn.Name, LabelColumn.Name, WeightColumn.IsValid ? WeightColumn.Name : null);

    /// <summary>Each class's label value as text: the key's value for multiclass, False/True for binary.</summary>
    private string[] ClassNames(DataViewSchema.Column label, int classes)
    {
        if (Task == MlpTask.Binary)
            return new[] { bool.FalseString, bool.TrueString };
        var names = Enumerable.Range(1, classes).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues) is { Type: VectorDataViewType { ItemType: var itemType } })
        {
            var read = typeof(MlpEstimatorBase<TTransformer, TModel, TOutput>).GetMethod(nameof(KeyValueTexts), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(itemType.RawType);
            var texts = (string[])read.Invoke(null, new object[] { label })!;
            if (texts.Length == classes)
                names = texts;
        }
        return names;
    }

    private static string[] KeyValueTexts<T>(DataViewSchema.Column label)
    {
        VBuffer<T> values = default;
        label.GetKeyValues(ref values);
        return values.DenseValues().Select(v => Convert.ToString(v is ReadOnlyMemory<char> m ? m.ToString() : v, CultureInfo.InvariantCulture) ?? "").ToArray();
    }
}
