using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MlpTrainer.Data;
using MlpTrainer.Losses;
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
public abstract class MlpEstimatorBase<TTransformer, TModel, TOutput> : TrainerEstimatorBase<TTransformer, TModel>
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
        => TrainTransformer(trainData, validationSet: validationData ?? throw new ArgumentNullException(nameof(validationData)));

    /// <summary>
    /// Continues training <paramref name="initialModel"/> (warm start) for <see cref="MlpOptions.NumberOfEpochs"/> more
    /// epochs. The model must have the shape these options and data give (features, hidden sizes, activation, outputs);
    /// its history carries on. The optimizer's state starts afresh (a checkpoint keeps it: see
    /// <see cref="MlpOptions.CheckpointDirectory"/>).
    /// </summary>
    public TTransformer Fit(IDataView trainData, TModel initialModel)
        => TrainTransformer(trainData, initPredictor: initialModel ?? throw new ArgumentNullException(nameof(initialModel)));

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

    /// <summary>Wraps a trained network in this task's model.</summary>
    private protected abstract TModel CreateModel(MlpNetwork network, TrainingSettings settings, IReadOnlyList<MlpEpochReport> history);

    /// <summary>Part of ML.NET's trainer protocol, called by <c>Fit</c>; not for direct use.</summary>
    private protected override TModel TrainModelCore(TrainContext context)
    {
        Host.CheckValue(context, nameof(context));
        MlpOptions options = _options;
        options.Validate(Task);

        using IChannel ch = Host.Start("Training");
        DataViewColumns columns = DataViewColumns.Resolve(context.TrainingSet.Data, Task, FeatureColumn.Name, LabelColumn.Name,
            WeightColumn.IsValid ? WeightColumn.Name : null);
        int? streamBuffer = ChooseStreaming(ch, context.TrainingSet.Data, columns.FeatureCount, options);
        using PreparedData prepared = streamBuffer is int bufferRows
            ? PrepareStreamed(ch, context, columns, options, bufferRows)
            : PrepareInMemory(ch, context, columns, options);
        int seed = prepared.Seed;
        float outputScale = prepared.OutputScale, outputOffset = prepared.OutputOffset;

        var sizes = new List<int> { columns.FeatureCount };
        sizes.AddRange(options.HiddenLayerSizes);
        sizes.Add(Task == MlpTask.Multiclass ? columns.ClassCount : 1);
        var layout = new NetworkLayout(sizes);
        int threads = options.NumberOfThreads ?? Environment.ProcessorCount;

        float[] parameters;
        IReadOnlyList<MlpEpochReport> priorHistory = Array.Empty<MlpEpochReport>();
        if (context.InitialPredictor is not null)
        {
            if (context.InitialPredictor is not TModel initial)
                throw Host.Except($"This trainer continues training only from {typeof(TModel).Name}, not from {context.InitialPredictor.GetType().Name}.");
            if (!initial.Network.Layout.SameShapeAs(layout) || initial.HiddenActivation != options.Activation)
                throw Host.Except($"The initial model is a {initial.Network.Layout} {initial.HiddenActivation} network; these options and data make a {layout} {options.Activation} network. " +
                                  "Use the same HiddenLayerSizes, Activation, features and classes to continue training.");
            if (initial.Network.OutputScale != outputScale || initial.Network.OutputOffset != outputOffset)
                throw Host.Except("The initial model was trained with another label scaling (NormalizeLabel on other data); continue it with the same setting and data.");
            parameters = initial.Network.Parameters.ToArray();
            priorHistory = initial.TrainingHistory;
            ch.Info($"Continuing from a model trained for {initial.EpochsTrained} epochs (the optimizer starts afresh).");
        }
        else
        {
            parameters = WeightInitializer.Initialize(layout, options.Activation, SeedSequence.Create(seed, SeedSequence.Stream.Initialization));
        }

        ulong fingerprint = prepared.Fingerprint(parameters);
        TrainingCheckpoint? resume = options.ResumeFromCheckpoint ? TrainingCheckpoint.TryRead(options.CheckpointDirectory!) : null;
        if (resume is not null)
            ch.Info($"Resuming from the checkpoint in '{options.CheckpointDirectory}' after epoch {resume.EpochsCompleted}.");

        ch.Info($"Training a {layout} {Task} MLP ({layout.ParameterCount} parameters) on {prepared.Train.RowCount} rows{(prepared.Streamed ? " (streamed)" : "")}: {options.Optimizer}, " +
                $"learning rate {options.LearningRate} ({options.LearningRateSchedule}), batch {options.BatchSize}, {options.NumberOfEpochs} epochs, seed {seed}, {threads} threads.");
        OutputLoss loss = OutputLoss.For(Task, options.RegressionLoss, options.HuberDelta);
        TrainingLoop.Result result = new TrainingLoop(options, layout, seed, threads, loss).Run(prepared.Train, prepared.Validation, prepared.ValidationRows,
            parameters, priorHistory, fingerprint, resume,
            Host.CheckAlive,
            report =>
            {
                string validationText = report.ValidationLoss is double vl
                    ? $", validation loss {vl:F6}" + (report.ValidationAccuracy is double va ? $", accuracy {va:F4}" : "")
                    : "";
                ch.Info($"Epoch {report.Epoch}: training loss {report.TrainingLoss:F6}{validationText}, learning rate {report.LearningRate:G4}, {report.Seconds:F2} s.");
                options.Progress?.Report(report);
            });
        if (result.StoppedEarly)
            ch.Info($"Stopped early after epoch {result.History[^1].Epoch}: no improvement for {options.EarlyStoppingPatience} epochs; " +
                    (options.RestoreBestWeights ? $"keeping the weights of epoch {result.BestEpoch}." : "keeping the last weights."));
        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(parameters))
            throw Host.Except($"Training diverged: the weights are not finite after the last update. Lower MlpOptions.LearningRate (now {options.LearningRate}).");

        var network = new MlpNetwork(layout, options.Activation, options.LeakyReLUSlope, parameters, Task, outputScale, outputOffset);
        int epochsTrained = result.History.Count == 0 ? 0 : result.History[^1].Epoch;
        return CreateModel(network, TrainingSettings.From(options, epochsTrained), result.History);
    }

    /// <summary>The training minibatches, the validation rows and what training needs to know about the data.</summary>
    private sealed record PreparedData(IMinibatchSource Train, DenseDataset? Validation, int[]? ValidationRows, int Seed, float OutputScale,
        float OutputOffset, bool Streamed, Func<float[], ulong> Fingerprint) : IDisposable
    {
        public void Dispose() => (Train as IDisposable)?.Dispose();
    }

    /// <summary>
    /// The shuffle buffer's rows when the training data is to be streamed, or null to read it into memory:
    /// StreamingShuffleBufferRows when set; otherwise streaming only when rows × features × 4 bytes, for a data view that
    /// knows its row count, is above InMemoryLimitBytes (default half the available memory).
    /// </summary>
    private static int? ChooseStreaming(IChannel ch, IDataView data, int featureCount, MlpOptions options)
    {
        if (options.StreamingShuffleBufferRows > 0)
        {
            ch.Info($"Streaming the training data from the data view every epoch with a shuffle buffer of {options.StreamingShuffleBufferRows} rows (StreamingShuffleBufferRows is set).");
            return options.StreamingShuffleBufferRows;
        }
        long? rows = data.GetRowCount();
        long limit = options.InMemoryLimitBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;
        if (rows is not long n)
        {
            ch.Info("Reading the training data into memory (the data view does not know its row count, so its size cannot be estimated).");
            return null;
        }
        double estimate = (double)n * featureCount * sizeof(float);
        if (estimate <= limit)
        {
            ch.Info($"Reading the training data into memory: about {estimate / (1 << 20):F1} MiB for {n} rows, within the limit of {limit / (double)(1 << 20):F1} MiB.");
            return null;
        }
        const long bufferBytes = 64L << 20;
        long bufferRows = Math.Max(options.BatchSize, bufferBytes / ((long)featureCount * sizeof(float)));
        int buffer = (int)Math.Max(1, Math.Min(Math.Min(bufferRows, n), int.MaxValue));
        ch.Info($"Streaming the training data from the data view every epoch with a shuffle buffer of {buffer} rows: about {estimate / (1 << 20):F1} MiB for {n} rows " +
                $"is above the in-memory limit of {limit / (double)(1 << 20):F1} MiB (InMemoryLimitBytes).");
        return buffer;
    }

    private PreparedData PrepareInMemory(IChannel ch, TrainContext context, DataViewColumns columns, MlpOptions options)
    {
        DenseDataset train = ReadRows(ch, columns, "training");
        int seed = options.Seed ?? Host.Rand.Next();
        DenseDataset? validation = ReadValidation(ch, context, columns);

        float[]? classWeights = ClassWeightsFor(train.ClassCount, train.RowCount, train.ClassCounts, context.TrainingSet.Data.Schema[LabelColumn.Name], options);
        if (classWeights is not null)
        {
            train.ScaleWeightsByClass(classWeights);
            validation?.ScaleWeightsByClass(classWeights);
            LogClassWeights(ch, classWeights);
        }

        float outputScale = 1f, outputOffset = 0f;
        if (Task == MlpTask.Regression && options.NormalizeLabel)
        {
            (outputOffset, outputScale) = TargetMeanAndDeviation(train);
            train.TransformTargets(outputOffset, outputScale);
            validation?.TransformTargets(outputOffset, outputScale);
            ch.Info($"Standardising the label: mean {outputOffset:G6}, standard deviation {outputScale:G6}.");
        }

        TrainingData data;
        if (validation is not null)
        {
            if (options.ValidationFraction > 0)
                ch.Info("Validation data was given, so ValidationFraction is not used.");
            data = new TrainingData(train, TrainingData.AllRows(train), validation, TrainingData.AllRows(validation));
        }
        else if (options.ValidationFraction > 0)
        {
            data = TrainingData.SplitStratified(train, options.ValidationFraction, seed);
            ch.Info($"Holding out {data.ValidationRows!.Length} of {train.RowCount} rows ({(Task == MlpTask.Regression ? "at random" : "stratified")}) for validation.");
        }
        else
        {
            data = new TrainingData(train, TrainingData.AllRows(train), null, null);
        }
        if (data.TrainRows.Length == 0)
            throw Host.Except("No training rows are left after holding out the validation rows; lower ValidationFraction.");

        var source = new InMemoryMinibatchSource(data.Train, data.TrainRows, options.Shuffle, seed, Math.Min(options.BatchSize, data.TrainRows.Length));
        return new PreparedData(source, data.HasValidation ? data.Validation : null, data.HasValidation ? data.ValidationRows : null, seed,
            outputScale, outputOffset, Streamed: false, parameters => RunFingerprint.Compute(data, options, seed, parameters));
    }

    /// <summary>
    /// Streaming: a first pass gathers the row counts, class counts, label statistics, the rows' hash and the held-out
    /// validation rows (kept in memory); each epoch then reads the data view again through a shuffle buffer.
    /// </summary>
    private PreparedData PrepareStreamed(IChannel ch, TrainContext context, DataViewColumns columns, MlpOptions options, int bufferRows)
    {
        int seed = options.Seed ?? Host.Rand.Next();
        DenseDataset? validation = ReadValidation(ch, context, columns);
        ValidationHoldOut? holdOut = null;
        if (validation is not null && options.ValidationFraction > 0)
            ch.Info("Validation data was given, so ValidationFraction is not used.");
        else if (validation is null && options.ValidationFraction > 0)
            holdOut = new ValidationHoldOut(seed, options.ValidationFraction);

        StreamingScan.Result scan = StreamingScan.Run(columns, holdOut, options.CancellationToken);
        LogSkipped(ch, "training", scan.SkippedMissingLabel, scan.SkippedBadFeatures, scan.SkippedBadWeight);
        if (scan.UsableRows == 0)
            throw NoUsableRows("training", scan.SkippedMissingLabel, scan.SkippedBadFeatures, scan.SkippedBadWeight);
        if (holdOut is not null)
        {
            validation = scan.Validation;
            ch.Info($"Holding out {validation.RowCount} of {scan.UsableRows} rows (by a seeded hash of each row's position; kept in memory) for validation.");
        }
        if (scan.TrainRows == 0)
            throw Host.Except("No training rows are left after holding out the validation rows; lower ValidationFraction.");

        float[]? classWeights = ClassWeightsFor(columns.ClassCount, scan.UsableRows, () => scan.ClassCounts, context.TrainingSet.Data.Schema[LabelColumn.Name], options);
        double weightSum = scan.TrainWeightSum;
        if (classWeights is not null)
        {
            validation?.ScaleWeightsByClass(classWeights);
            LogClassWeights(ch, classWeights);
            weightSum = 0;
            for (int c = 0; c < classWeights.Length; c++)
                weightSum += classWeights[c] * scan.TrainWeightSumByClass[c];
        }

        float outputScale = 1f, outputOffset = 0f;
        bool normalize = Task == MlpTask.Regression && options.NormalizeLabel;
        if (normalize)
        {
            double mean = scan.TargetSum / scan.UsableRows;
            double deviation = StreamingScan.TargetDeviation(columns, mean, scan.UsableRows, options.CancellationToken);
            (outputOffset, outputScale) = ((float)mean, deviation > 0 && double.IsFinite(deviation) ? (float)deviation : 1f);
            validation?.TransformTargets(outputOffset, outputScale);
            ch.Info($"Standardising the label: mean {outputOffset:G6}, standard deviation {outputScale:G6}.");
        }

        var adjustment = new RowAdjustment(classWeights, normalize, outputOffset, outputScale);
        int batch = (int)Math.Min(options.BatchSize, scan.TrainRows);
        var source = new StreamingMinibatchSource(columns, scan.TrainRows, weightSum, bufferRows, options.Shuffle, seed, batch, adjustment, holdOut,
            options.CancellationToken);
        if (!options.Shuffle)
            ch.Info("Shuffle is off: streamed rows train in the data view's order, with no shuffle buffer.");
        int[]? validationRows = validation is { RowCount: > 0 } ? TrainingData.AllRows(validation) : null;
        DenseDataset? keptValidation = validationRows is null ? null : validation;
        return new PreparedData(source, keptValidation, validationRows, seed, outputScale, outputOffset, Streamed: true,
            parameters => RunFingerprint.ComputeStreaming(scan.TrainRowsHash, keptValidation, source.BufferCapacity, options, seed, parameters));
    }

    private DenseDataset? ReadValidation(IChannel ch, TrainContext context, DataViewColumns train)
    {
        if (context.ValidationSet is null)
            return null;
        DenseDataset validation = ReadRows(ch, DataViewColumns.Resolve(context.ValidationSet.Data, Task, FeatureColumn.Name, LabelColumn.Name,
            WeightColumn.IsValid ? WeightColumn.Name : null), "validation");
        if (validation.FeatureCount != train.FeatureCount || validation.ClassCount != train.ClassCount)
            throw Host.Except($"The validation data has {validation.FeatureCount} features and {validation.ClassCount} classes; the training data has {train.FeatureCount} and {train.ClassCount}.");
        return validation;
    }

    private static void LogClassWeights(IChannel ch, float[] classWeights)
        => ch.Info("Class weights: " + string.Join(", ", classWeights.Select((w, c) => $"{c}: {w:G4}")) + ".");

    private static void LogSkipped(IChannel ch, string role, long missingLabel, long badFeatures, long badWeight)
    {
        if (missingLabel > 0)
            ch.Info($"Skipped {missingLabel} {role} rows with a missing label.");
        if (badFeatures > 0)
            ch.Info($"Skipped {badFeatures} {role} rows with a NaN or infinite feature.");
        if (badWeight > 0)
            ch.Info($"Skipped {badWeight} {role} rows with a negative, NaN or infinite weight.");
    }

    private Exception NoUsableRows(string role, long missingLabel, long badFeatures, long badWeight)
        => Host.Except($"The {role} data has no usable rows: {missingLabel} had a missing label, {badFeatures} a NaN or infinite feature in '{FeatureColumn.Name}'" +
                       (badWeight > 0 ? $" and {badWeight} a bad weight." : "."));

    private DenseDataset ReadRows(IChannel ch, DataViewColumns columns, string role)
    {
        DataViewReader.Result read = DataViewReader.Read(columns, _options.CancellationToken);
        LogSkipped(ch, role, read.SkippedMissingLabel, read.SkippedBadFeatures, read.SkippedBadWeight);
        if (read.Dataset.RowCount == 0)
            throw NoUsableRows(role, read.SkippedMissingLabel, read.SkippedBadFeatures, read.SkippedBadWeight);
        return read.Dataset;
    }

    /// <summary>The weight of each class from ClassWeights or UseBalancedClassWeights, or null for none.</summary>
    private float[]? ClassWeightsFor(int classes, long rowCount, Func<long[]> classCounts, DataViewSchema.Column label, MlpOptions options)
    {
        if (Task == MlpTask.Regression || (options.ClassWeights is null && !options.UseBalancedClassWeights))
            return null;
        var weights = new float[classes];
        if (options.UseBalancedClassWeights)
        {
            long[] counts = classCounts();
            for (int c = 0; c < classes; c++)
                weights[c] = counts[c] == 0 ? 1f : (float)((double)rowCount / (classes * counts[c]));
            return weights;
        }

        string[] names = ClassNames(label, classes);
        Array.Fill(weights, 1f);
        foreach ((string name, float weight) in options.ClassWeights!)
        {
            int c = Array.FindIndex(names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
            if (c < 0)
                throw Host.ExceptUserArg(nameof(MlpOptions.ClassWeights), $"MlpOptions.ClassWeights names the class '{name}', which the label column '{label.Name}' does not have. Its classes: {string.Join(", ", names)}.");
            weights[c] = weight;
        }
        return weights;
    }

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

    private static (float Mean, float Deviation) TargetMeanAndDeviation(DenseDataset data)
    {
        double sum = 0, sumSquares = 0;
        for (int row = 0; row < data.RowCount; row++)
            sum += data.Target(row);
        double mean = sum / data.RowCount;
        for (int row = 0; row < data.RowCount; row++)
        {
            double d = data.Target(row) - mean;
            sumSquares += d * d;
        }
        double deviation = Math.Sqrt(sumSquares / data.RowCount);
        return ((float)mean, deviation > 0 && double.IsFinite(deviation) ? (float)deviation : 1f);
    }
}
