using MlpTrainer.Model;
using MlpTrainer.Training;

namespace MlpTrainer.Data;

/// <summary>
/// Everything a training run decides about its data before the first epoch, in this order:
/// <list type="number">
/// <item>Dense or sparse: the first rows' share of non-zero features (<see cref="FeatureDensity"/>) decides, unless
/// <see cref="MlpOptions.SparseFeatures"/> does. Sparse data is held as its non-zeros only and feeds an input-major
/// first layer that reads (and updates) only the slots present in a minibatch.</item>
/// <item>The model's own memory (<see cref="ModelMemory"/>): a model that cannot fit, or could not be saved, fails at
/// once, with the sizes and the ways out.</item>
/// <item>In memory or streamed: <see cref="MlpOptions.StreamingShuffleBufferRows"/>, or the estimated size of the rows
/// against <see cref="MlpOptions.InMemoryLimitBytes"/>; a data view that does not know its row count is read into
/// memory while it stays under the limit, and streamed once it passes it.</item>
/// <item>Validation rows, class weights and label standardisation, applied the same way in memory and streamed.</item>
/// <item>The network's feature standardisation (<see cref="MlpOptions.StandardizeFeatures"/>, dense first layers): the
/// training rows' weighted moments (gathered while reading when every row read trains), applied to each row as a
/// minibatch is filled, in memory and streamed alike.</item>
/// </list>
/// Every decision is logged with its reason; rows left out of the data are a warning, told once and handed to the run
/// (<see cref="PreparedTraining.DataWarnings"/>) for the model's history.
/// </summary>
internal sealed class TrainingDataPreparation
{
    /// <summary>
    /// At most this share of non-zero features makes the data sparse: below it, reading each non-zero's row of weights
    /// costs less than a dense matrix product over every slot (Fashion-MNIST, about half non-zero, stays dense).
    /// </summary>
    public const double SparseShareThreshold = 1.0 / 16;

    private const string ValidationFractionUnused = "Validation data was given, so ValidationFraction is not used.";

    /// <summary>The shuffle buffer an automatic switch to streaming gets, in bytes of rows.</summary>
    private const long AutomaticBufferBytes = 64L << 20;

    private readonly MlpTask _task;
    /// <summary>The user's options until <see cref="Prepare"/> decides dense or sparse; then with the automatic values set (<see cref="AutomaticDefaults"/>).</summary>
    private MlpOptions _options;
    private readonly Action<string> _log;
    private readonly Action<string> _warn;
    private readonly List<string> _warnings = new();
    private readonly Func<string[]> _classNames;

    /// <param name="task">The task, which decides the output layer and what the label means.</param>
    /// <param name="options">The validated options of the run.</param>
    /// <param name="log">Receives one line per decision.</param>
    /// <param name="classNames">Each class's label value as text, for <see cref="MlpOptions.ClassWeights"/>.</param>
    /// <param name="warn">Receives each warning about the data (rows left out); <paramref name="log"/> when null.</param>
    public TrainingDataPreparation(MlpTask task, MlpOptions options, Action<string> log, Func<string[]> classNames, Action<string>? warn = null)
    {
        _task = task;
        _options = options;
        _log = log;
        _warn = warn ?? log;
        _classNames = classNames;
    }

    /// <param name="train">The training data's columns.</param>
    /// <param name="validation">The validation data's columns, or null.</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="availableBytes">Memory the process may use, which bounds the model.</param>
    public PreparedTraining Prepare(DataViewColumns train, DataViewColumns? validation, int seed, long availableBytes)
    {
        MlpOptions o = _options;
        FeatureDensity density = FeatureDensity.Probe(train, o.CancellationToken);
        bool sparse = o.SparseFeatures ?? density.Share <= SparseShareThreshold;
        _log($"The features have {train.FeatureCount} slots, {density.MeanNonZeros:G4} non-zero per row on average over the first {density.RowsSeen} rows " +
             $"({density.Share:P2}): {(sparse ? "sparse rows and a sparse first layer" : "dense rows and a dense first layer")}" +
             (o.SparseFeatures is null ? $" (sparse at most {SparseShareThreshold:P2}; MlpOptions.SparseFeatures decides otherwise)." : " (MlpOptions.SparseFeatures)."));
        // Every later decision, and the run, use the options with the values the data's kind of first layer chooses.
        _options = o = AutomaticDefaults.For(sparse).Apply(o, out string chosen);
        if (chosen.Length > 0 && sparse)
            _log($"For a sparse first layer, the options left to the data: {chosen}.");

        var sizes = new List<int> { train.FeatureCount };
        sizes.AddRange(o.RunHiddenLayerSizes);
        sizes.Add(_task == MlpTask.Multiclass ? train.ClassCount : 1);
        long parameterCount = 0;
        for (int l = 0; l + 1 < sizes.Count; l++)
            parameterCount += (long)sizes[l] * sizes[l + 1] + sizes[l + 1];
        if (parameterCount > Array.MaxLength)
            throw TooLarge(string.Join("-", sizes), $"{parameterCount:N0} parameters, more than the {Array.MaxLength:N0} one array holds", sizes);
        var layout = new NetworkLayout(sizes, inputMajorFirstLayer: sparse);
        ModelMemory model = ModelMemory.Estimate(layout, o, BatchRows);
        if (model.TotalBytes > availableBytes)
            throw TooLarge(layout.ToString(), $"about {model}, and {ModelMemory.Format(availableBytes)} is available", sizes);
        // A model that trains for hours and then cannot be saved is a failure found too late.
        NetworkSerializer.EnsureWritable(layout, o.NumberOfEpochs);
        _log($"The model needs about {model}.");

        long limit = o.InMemoryLimitBytes ?? availableBytes / 2;
        long bytesPerRow = sparse
            ? (long)Math.Ceiling(density.MeanNonZeros * (sizeof(float) + sizeof(int))) + 5 * sizeof(int)
            : (long)train.FeatureCount * sizeof(float) + 2 * sizeof(float);
        int? buffer = null;
        if (o.StreamingShuffleBufferRows > 0)
        {
            buffer = o.StreamingShuffleBufferRows;
            _log($"Streaming the training data from the data view every epoch with a shuffle buffer of {buffer} rows (StreamingShuffleBufferRows is set).");
        }
        else if (train.Data.GetRowCount() is long rows)
        {
            double estimate = (double)rows * bytesPerRow;
            if (estimate > limit)
            {
                buffer = AutomaticBuffer(bytesPerRow, rows);
                _log($"Streaming the training data from the data view every epoch with a shuffle buffer of {buffer} rows: about {ModelMemory.Format(estimate)} " +
                     $"for {rows} rows is above the in-memory limit of {ModelMemory.Format(limit)} (InMemoryLimitBytes).");
            }
            else
            {
                _log($"Reading the training data into memory: about {ModelMemory.Format(estimate)} for {rows} rows, within the limit of {ModelMemory.Format(limit)}.");
            }
        }
        else
        {
            _log($"Reading the training data into memory while it stays within the limit of {ModelMemory.Format(limit)} (the data view does not know its row count).");
        }

        if (buffer is null)
        {
            // Every row read trains unless some are held out: then the standardisation's statistics are gathered while
            // reading (one pass over the rows fewer, in the same order, so the same sums).
            FeatureMoments? moments = Standardizes(layout) && (validation is not null || o.RunValidationFraction == 0)
                ? new FeatureMoments(layout.InputSize, train.ClassCount) : null;
            DataViewReader.Result read = DataViewReader.Read(train, sparse, limit, o.CancellationToken, moments);
            if (!read.ExceededLimit)
            {
                RowDataset trainRows = Checked(read, "training");
                return PrepareInMemory(layout, density, trainRows, ReadValidation(validation, train, sparse), seed, moments) with { DataWarnings = _warnings.ToArray() };
            }
            double perRow = read.RowsRead == 0 ? bytesPerRow : (double)read.BytesRead / read.RowsRead;
            buffer = AutomaticBuffer((long)Math.Ceiling(perRow), long.MaxValue);
            _log($"Streaming the training data instead: {read.RowsRead} rows already took {ModelMemory.Format(read.BytesRead)}, above the in-memory limit of " +
                 $"{ModelMemory.Format(limit)} (InMemoryLimitBytes); shuffle buffer of {buffer} rows.");
        }
        return PrepareStreamed(layout, density, train, ReadValidation(validation, train, sparse), seed, buffer.Value, sparse) with { DataWarnings = _warnings.ToArray() };
    }

    private static InvalidOperationException TooLarge(string shape, string need, List<int> sizes)
        => new($"A {shape} network does not fit in memory: it needs {need}. The first layer alone has {sizes[0]:N0} × {sizes[1]:N0} weights. " +
               "Ways out: fewer feature slots (fewer hash bits in OneHotHashEncoding, ProduceHashedNgrams or FeaturizeText's options), fewer units " +
               "in the first hidden layer (HiddenLayerSizes[0]), or Optimizer = Sgd with Momentum = 0, which keeps no state per weight.");

    /// <summary>Rows per minibatch: <see cref="MlpOptions.BatchSize"/>, or for full-batch L-BFGS the chunk its full-batch gradient is summed over.</summary>
    private int BatchRows => _options.Optimizer == MlpOptimizer.Lbfgs ? FullBatchObjective.ChunkRows : _options.BatchSize;

    private int AutomaticBuffer(long bytesPerRow, long rows)
    {
        long bufferRows = Math.Max(BatchRows, AutomaticBufferBytes / Math.Max(1, bytesPerRow));
        return (int)Math.Max(1, Math.Min(Math.Min(bufferRows, rows), int.MaxValue));
    }

    /// <param name="layout">The network's layout.</param>
    /// <param name="density">What the probe measured of the features.</param>
    /// <param name="train">The rows read for training.</param>
    /// <param name="validation">Validation rows given to <c>Fit</c>, or null.</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="readMoments">The training rows' feature moments, gathered while reading them, when every row read trains; null to gather them here.</param>
    private PreparedTraining PrepareInMemory(NetworkLayout layout, FeatureDensity density, RowDataset train, RowDataset? validation, int seed,
        FeatureMoments? readMoments = null)
    {
        MlpOptions o = _options;
        float outputScale = 1f, outputOffset = 0f;
        if (_task == MlpTask.Regression && o.NormalizeLabel != false)
        {
            (outputOffset, outputScale) = TargetMeanAndDeviation(train);
            train.TransformTargets(outputOffset, outputScale);
            validation?.TransformTargets(outputOffset, outputScale);
            _log($"Standardising the label: mean {outputOffset:G6}, standard deviation {outputScale:G6}.");
        }

        TrainingData data;
        if (validation is not null)
        {
            if (o.ValidationFraction > 0)
                _log(ValidationFractionUnused);
            data = new TrainingData(train, TrainingData.AllRows(train), validation, TrainingData.AllRows(validation));
        }
        else if (o.ValidationFraction > 0)
        {
            data = TrainingData.SplitStratified(train, o.RunValidationFraction, seed);
            _log($"Holding out {data.ValidationRows!.Length} of {train.RowCount} rows ({(_task == MlpTask.Regression ? "at random" : "stratified")}) for validation.");
        }
        else
        {
            data = new TrainingData(train, TrainingData.AllRows(train), null, null);
        }
        if (data.TrainRows.Length == 0)
            throw new InvalidOperationException("No training rows are left after holding out the validation rows; lower ValidationFraction.");

        float[]? classWeights = ClassWeights(train.ClassCount, train.RowCount, train.ClassCounts);
        FeatureStandardization? standardization = null;
        if (Standardizes(layout))
        {
            // Per class, with the rows' own weights, then the class weights: as a streamed run gathers them.
            var dense = (DenseDataset)data.Train;
            FeatureMoments? moments = data.TrainRows.Length == train.RowCount ? readMoments : null;
            if (moments is null)
            {
                moments = new FeatureMoments(layout.InputSize, train.ClassCount);
                foreach (int row in data.TrainRows)
                    moments.Add(dense.Row(row), dense.Weight(row), train.ClassCount > 0 ? dense.Label(row) : 0);
            }
            standardization = LogStandardization(moments.Finish(classWeights));
        }

        if (classWeights is not null)
        {
            train.ScaleWeightsByClass(classWeights);
            validation?.ScaleWeightsByClass(classWeights);
            LogClassWeights(classWeights);
        }
        // The rows stay as read: each is standardised as it is copied into a minibatch, which costs nothing next to the
        // copy, where a pass over the rows held would cost a pass over memory before the first epoch.
        return PreparedTraining.InMemory(layout, data, o, seed, BatchRows, density, outputScale, outputOffset, ownsData: true)
            with { Standardization = standardization };
    }

    /// <summary>Whether the network standardises its features: asked for, and a dense first layer.</summary>
    private bool Standardizes(NetworkLayout layout) => _options.StandardizeFeatures && !layout.InputMajorFirstLayer;

    private FeatureStandardization LogStandardization(FeatureStandardization standardization)
    {
        int indicators = 0;
        for (int j = 0; j < standardization.FeatureCount; j++)
        {
            if (standardization.Offsets[j] == 0 && standardization.Scales[j] == 1)
                indicators++;
        }
        _log($"Standardising the {standardization.FeatureCount} features in the network ({indicators} indicator or all-zero columns left as they are; " +
             "folded into the first layer after training; MlpOptions.StandardizeFeatures).");
        return standardization;
    }

    /// <summary>
    /// Streaming: a first pass gathers the row counts, class counts, label statistics, the rows' hash (with checkpoints)
    /// and the held-out validation rows (kept in memory); each epoch then reads the data view again through a shuffle buffer.
    /// </summary>
    private PreparedTraining PrepareStreamed(NetworkLayout layout, FeatureDensity density, DataViewColumns columns, RowDataset? validation, int seed,
        int bufferRows, bool sparse)
    {
        MlpOptions o = _options;
        ValidationHoldOut? holdOut = null;
        if (validation is not null && o.ValidationFraction > 0)
            _log(ValidationFractionUnused);
        else if (validation is null && o.ValidationFraction > 0)
            holdOut = new ValidationHoldOut(seed, o.RunValidationFraction);

        FeatureMoments? moments = Standardizes(layout) ? new FeatureMoments(layout.InputSize, columns.ClassCount) : null;
        StreamingScan.Result scan = StreamingScan.Run(columns, holdOut, sparse, hashRows: o.CheckpointDirectory is not null, o.CancellationToken, moments);
        LogSkipped("training", scan.UsableRows, scan.SkippedMissingLabel, scan.SkippedBadFeatures, scan.SkippedBadWeight);
        if (scan.UsableRows == 0)
            throw NoUsableRows("training", scan.SkippedMissingLabel, scan.SkippedBadFeatures, scan.SkippedBadWeight);
        if (holdOut is not null)
        {
            validation = scan.Validation;
            _log($"Holding out {validation.RowCount} of {scan.UsableRows} rows (by a seeded hash of each row's position; kept in memory) for validation.");
        }
        if (scan.TrainRows == 0)
            throw new InvalidOperationException("No training rows are left after holding out the validation rows; lower ValidationFraction.");

        float[]? classWeights = ClassWeights(columns.ClassCount, scan.UsableRows, () => scan.ClassCounts);
        double weightSum = scan.TrainWeightSum;
        if (classWeights is not null)
        {
            validation?.ScaleWeightsByClass(classWeights);
            LogClassWeights(classWeights);
            weightSum = 0;
            for (int c = 0; c < classWeights.Length; c++)
                weightSum += classWeights[c] * scan.TrainWeightSumByClass[c];
        }

        float outputScale = 1f, outputOffset = 0f;
        bool normalize = _task == MlpTask.Regression && o.NormalizeLabel != false;
        if (normalize)
        {
            double mean = scan.TargetWeightSum > 0 ? scan.TargetSum / scan.TargetWeightSum : 0;
            double deviation = scan.TargetWeightSum > 0 ? StreamingScan.TargetDeviation(columns, mean, scan.TargetWeightSum, o.CancellationToken) : 1;
            (outputOffset, outputScale) = ((float)mean, deviation > 0 && double.IsFinite(deviation) ? (float)deviation : 1f);
            validation?.TransformTargets(outputOffset, outputScale);
            _log($"Standardising the label: mean {outputOffset:G6}, standard deviation {outputScale:G6}.");
        }

        var adjustment = new RowAdjustment(classWeights, normalize, outputOffset, outputScale);
        int batch = (int)Math.Min(BatchRows, scan.TrainRows);
        var source = new StreamingMinibatchSource(columns, scan.TrainRows, weightSum, bufferRows, o.Shuffle, seed, batch, adjustment, holdOut,
            sparse, o.CancellationToken);
        if (!o.Shuffle)
            _log("Shuffle is off: streamed rows train in the data view's order, with no shuffle buffer.");
        int[]? validationRows = validation is { RowCount: > 0 } ? TrainingData.AllRows(validation) : null;
        RowDataset? keptValidation = validationRows is null ? null : validation;
        return new PreparedTraining(layout, source, keptValidation, validationRows, seed, outputScale, outputOffset, Streamed: true, density,
            parameters => RunFingerprint.ComputeStreaming(scan.TrainRowsHash, keptValidation, source.BufferCapacity, o, seed, parameters), o)
        {
            Standardization = moments is null ? null : LogStandardization(moments.Finish(classWeights)),
        };
    }

    private RowDataset? ReadValidation(DataViewColumns? validation, DataViewColumns train, bool sparse)
    {
        if (validation is null)
            return null;
        if (validation.FeatureCount != train.FeatureCount || validation.ClassCount != train.ClassCount)
            throw new InvalidOperationException($"The validation data has {validation.FeatureCount} features and {validation.ClassCount} classes; " +
                                                $"the training data has {train.FeatureCount} and {train.ClassCount}.");
        return Checked(DataViewReader.Read(validation, sparse, limitBytes: null, _options.CancellationToken), "validation");
    }

    private RowDataset Checked(DataViewReader.Result read, string role)
    {
        LogSkipped(role, read.Dataset!.RowCount, read.SkippedMissingLabel, read.SkippedBadFeatures, read.SkippedBadWeight);
        if (read.Dataset!.RowCount == 0)
            throw NoUsableRows(role, read.SkippedMissingLabel, read.SkippedBadFeatures, read.SkippedBadWeight);
        return read.Dataset;
    }

    private Exception NoUsableRows(string role, long missingLabel, long badFeatures, long badWeight)
    {
        if (missingLabel == 0 && badFeatures == 0 && badWeight == 0)
            return new InvalidOperationException($"The {role} data is empty: it has no rows. Check what loads it (the file's path, " +
                                                 "the loader's separator and hasHeader) and any filter or split before the trainer.");
        return new InvalidOperationException($"The {role} data has no usable rows: {missingLabel} had a missing label, {badFeatures} a NaN or infinite feature in '{_options.FeatureColumnName}'" +
                                             (badWeight > 0 ? $" and {badWeight} a bad weight" : "") +
                                             (badFeatures > 0 ? $". Replace missing values before the trainer, e.g. ml.Transforms.ReplaceMissingValues(\"{_options.FeatureColumnName}\")" : "") +
                                             (missingLabel > 0 ? ". A missing label is NaN (regression), or a value MapValueToKey did not see (key 0)" : "") + ".");
    }

    /// <summary>
    /// The rows left out of a read: one warning (<see cref="SkippedRows"/>), told once and kept for the model's history
    /// (<see cref="PreparedTraining.DataWarnings"/>).
    /// </summary>
    private void LogSkipped(string role, long usableRows, long missingLabel, long badFeatures, long badWeight)
    {
        if (SkippedRows.Warning(role, usableRows, missingLabel, badFeatures, badWeight, _options.FeatureColumnName) is { } warning)
        {
            _warn(warning);
            _warnings.Add(warning);
        }
    }

    private void LogClassWeights(float[] classWeights)
        => _log("Class weights: " + string.Join(", ", classWeights.Select((w, c) => $"{c}: {w:G4}")) + ".");

    /// <summary>The weight of each class from ClassWeights or UseBalancedClassWeights, or null for none.</summary>
    private float[]? ClassWeights(int classes, long rowCount, Func<long[]> classCounts)
    {
        MlpOptions o = _options;
        if (_task == MlpTask.Regression || (o.ClassWeights is null && !o.UseBalancedClassWeights))
            return null;
        var weights = new float[classes];
        if (o.UseBalancedClassWeights)
        {
            long[] counts = classCounts();
            for (int c = 0; c < classes; c++)
                weights[c] = counts[c] == 0 ? 1f : (float)((double)rowCount / (classes * counts[c]));
            return weights;
        }

        string[] names = _classNames();
        Array.Fill(weights, 1f);
        foreach ((string name, float weight) in o.ClassWeights!)
        {
            int c = Array.FindIndex(names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
            if (c < 0)
                throw new ArgumentOutOfRangeException(nameof(MlpOptions.ClassWeights),
                    $"MlpOptions.ClassWeights names the class '{name}', which the label column '{o.LabelColumnName}' does not have. Its classes: {string.Join(", ", names)}.");
            weights[c] = weight;
        }
        return weights;
    }

    /// <summary>The weighted mean and population standard deviation of the targets: a row counts by its weight, as in the loss.</summary>
    private static (float Mean, float Deviation) TargetMeanAndDeviation(RowDataset data)
    {
        double sum = 0, weights = 0, sumSquares = 0;
        for (int row = 0; row < data.RowCount; row++)
        {
            sum += (double)data.Weight(row) * data.Target(row);
            weights += data.Weight(row);
        }
        if (!(weights > 0))
            return (0f, 1f);
        double mean = sum / weights;
        for (int row = 0; row < data.RowCount; row++)
        {
            double d = data.Target(row) - mean;
            sumSquares += data.Weight(row) * d * d;
        }
        double deviation = Math.Sqrt(sumSquares / weights);
        return ((float)mean, deviation > 0 && double.IsFinite(deviation) ? (float)deviation : 1f);
    }
}
