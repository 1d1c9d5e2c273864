using Microsoft.Data.Analysis;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlpTrainer.Samples.Commands;
using MlpTrainer.Samples.Data;
using MlpTrainer.Samples.Output;
using Spectre.Console;

namespace MlpTrainer.Samples.Samples;

/// <summary>
/// Trains an MLP on any CSV file: <c>DataFrame.LoadCsv</c> reads it (a DataFrame is an IDataView), the other columns
/// become a normalized feature vector (see <see cref="CsvFeatures"/>), 20% of the rows are held out for testing, the
/// catalog trainer of the task learns from the rest (10% of them held out for validation and early stopping when there
/// are enough), the task's evaluator scores the held-out rows, and the whole pipeline is saved.
/// </summary>
public static class CsvSample
{
    public const double TestFraction = 0.2;
    public const int MinimumRows = 10;

    public static int Run(IAnsiConsole console, CsvSettings settings)
    {
        // 1. Read the file and check the label and the features before any training.
        DataFrame data = CsvTable.Load(settings.Path);
        string labelType = CsvTable.TypeName(CsvLabel.Find(data, settings.Label, settings.Path));
        data = CsvLabel.DropMissing(data, settings.Label, out long dropped);
        string labelDetail = CsvLabel.Prepare(data, settings.Label, settings.Task);
        CsvFeatures features = CsvFeatures.Plan(data, settings.Label, labelType, labelDetail, settings.Path);
        if (data.Rows.Count < MinimumRows)
            throw new UsageException($"'{settings.Path}' has {data.Rows.Count} rows with a label; at least {MinimumRows} are needed, {TestFraction * 100:0}% of them for testing.");

        string fileName = Path.GetFileName(settings.Path);
        console.Write(new Rule($"[bold]MlpTrainer[/] · {settings.Task.ToString().ToLowerInvariant()} on {Markup.Escape(fileName)}").LeftJustified());
        console.MarkupLineInterpolated($"{data.Rows.Count} rows{(dropped > 0 ? $" ({dropped} without a label left out)" : "")}, {TestFraction * 100:0}% held out for testing.");
        console.Write(CsvColumnsTable.Create(fileName, features.Columns));

        // 2. Split, train and evaluate with the task's trainer and evaluator.
        var ml = new MLContext(settings.Seed);
        IDataView rows = data;   // a DataFrame is an IDataView
        DataOperationsCatalog.TrainTestData split = ml.Data.TrainTestSplit(rows, TestFraction, seed: settings.Seed);
        bool validate = data.Rows.Count * (1 - TestFraction) >= 100;
        var progress = new EpochProgressBar(console, $"MLP hidden {CommandOptions.FormatSizes(settings.HiddenLayers)}", settings.Epochs);
        MlpOptions TrainerOptions(string labelColumn) => new()
        {
            LabelColumnName = labelColumn,
            FeatureColumnName = CsvFeatures.FeaturesColumn,
            HiddenLayerSizes = settings.HiddenLayers,
            Optimizer = MlpOptimizer.Adam,
            LearningRate = 0.01f,
            BatchSize = 32,
            NumberOfEpochs = settings.Epochs,
            ValidationFraction = data.Rows.Count * (1 - TestFraction) >= 100 ? 0.1f : 0f,
            EarlyStoppingPatience = 10,   // watches the validation loss, or the training loss without validation rows
            Seed = settings.Seed,
            Progress = progress,
        };
        IEstimator<ITransformer> featurizer = features.CreateFeaturizer(ml);
        ITransformer model = settings.Task switch
        {
            CsvTask.Multiclass => TrainMulticlass(console, ml, featurizer, settings.Label, TrainerOptions("Label"), progress, split),
            CsvTask.Binary => TrainBinary(console, ml, featurizer, TrainerOptions(settings.Label), progress, split),
            _ => TrainRegression(console, ml, featurizer, TrainerOptions(settings.Label), progress, split),
        };

        // 3. Save the whole pipeline: it takes rows of the file as they are read and adds the predictions.
        ml.Model.Save(model, rows.Schema, settings.ModelPath);
        console.MarkupLineInterpolated($"Saved the model to [link]{Path.GetFullPath(settings.ModelPath)}[/]; load it with mlContext.Model.Load.");
        return 0;
    }

    /// <summary>Classes of any type: <c>MapValueToKey</c> makes the key label "Label"; <c>MapKeyToValue</c> gives predictions back as classes.</summary>
    private static ITransformer TrainMulticlass(IAnsiConsole console, MLContext ml, IEstimator<ITransformer> featurizer, string label, MlpOptions options,
        EpochProgressBar progress, DataOperationsCatalog.TrainTestData split)
    {
        var pipeline = featurizer
            .Append(ml.Transforms.Conversion.MapValueToKey("Label", label, keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue))
            .Append(ml.MulticlassClassification.Trainers.Mlp(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue($"Predicted {label}", "PredictedLabel"));
        var model = progress.Run(() => pipeline.Fit(split.TrainSet));

        IDataView scored = model.Transform(split.TestSet);
        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(scored, "Label");
        MulticlassMetricsView.Show(console, metrics, KeyNames.Of(scored.Schema["Label"]));
        console.Write(LossChart.Create(model.OfType<MulticlassPredictionTransformer<MlpModelParameters>>().Single().Model.TrainingHistory, "cross-entropy"));
        return model;
    }

    /// <summary>A Boolean label (converted by <see cref="CsvLabel"/>); the evaluator reports AUC, F1 and log-loss.</summary>
    private static ITransformer TrainBinary(IAnsiConsole console, MLContext ml, IEstimator<ITransformer> featurizer, MlpOptions options,
        EpochProgressBar progress, DataOperationsCatalog.TrainTestData split)
    {
        var pipeline = featurizer.Append(ml.BinaryClassification.Trainers.Mlp(options));
        var model = progress.Run(() => pipeline.Fit(split.TrainSet));

        IDataView scored = model.Transform(split.TestSet);
        CalibratedBinaryClassificationMetrics metrics;
        try
        {
            metrics = ml.BinaryClassification.Evaluate(scored, options.LabelColumnName);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new UsageException($"The rows held out for testing hold only one value of the label '{options.LabelColumnName}'; the file needs more rows of each value.");
        }
        BinaryMetricsView.Show(console, metrics);
        console.Write(LossChart.Create(model.LastTransformer.Model.TrainingHistory, "log-loss"));
        return model;
    }

    /// <summary>A Single label, standardised for training; the evaluator reports R², RMSE and MAE in the label's units.</summary>
    private static ITransformer TrainRegression(IAnsiConsole console, MLContext ml, IEstimator<ITransformer> featurizer, MlpOptions options,
        EpochProgressBar progress, DataOperationsCatalog.TrainTestData split)
    {
        options.NormalizeLabel = true;   // targets of any scale; predictions come back in the label's units
        var pipeline = featurizer.Append(ml.Regression.Trainers.Mlp(options));
        var model = progress.Run(() => pipeline.Fit(split.TrainSet));

        RegressionMetrics metrics = ml.Regression.Evaluate(model.Transform(split.TestSet), options.LabelColumnName);
        RegressionMetricsView.Show(console, metrics);
        console.Write(LossChart.Create(model.LastTransformer.Model.TrainingHistory, "squared error, standardised"));
        return model;
    }
}
