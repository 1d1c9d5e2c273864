using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MlpTrainer.Model;

namespace MlpTrainer;

/// <summary>
/// Trains a multilayer perceptron for regression: one linear output trained on the squared error (or Huber's loss),
/// with a Single label. <c>Fit</c> returns ML.NET's <see cref="RegressionPredictionTransformer{TModel}"/> whose
/// <c>Score</c> is the prediction, so <c>Regression.Evaluate</c> reports RMSE, MAE and R². Targets far from unit scale
/// train poorly: set <see cref="MlpOptions.NormalizeLabel"/> (the scaling is stored in the model) or scale the label.
/// Also <c>mlContext.Regression.Trainers.Mlp(...)</c>.
/// </summary>
public sealed class MlpRegressionEstimator : MlpEstimatorBase<RegressionPredictionTransformer<MlpRegressionModelParameters>, MlpRegressionModelParameters, float>
{
    internal const string LoadName = "MlpRegression";

    /// <summary>Creates the trainer. The options are checked and copied: later changes to them have no effect.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its documented range; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The loaded ML.NET is not a version this MlpTrainer supports; the message names the supported range.</exception>
    public MlpRegressionEstimator(MLContext mlContext, MlpOptions options)
        : this((IHostEnvironment)(mlContext ?? throw new ArgumentNullException(nameof(mlContext))), CheckOptions(options, MlpTask.Regression))
    {
    }

    private MlpRegressionEstimator(IHostEnvironment env, MlpOptions options)
        : base(env, LoadName, options, TrainerUtils.MakeR4ScalarColumn(options.LabelColumnName))
    {
    }

    internal static MlpRegressionEstimator Create(IHostEnvironment env, MlpOptions options) => new(env, CheckOptions(options, MlpTask.Regression));

    private protected override MlpTask Task => MlpTask.Regression;

    private protected override MlpRegressionModelParameters CreateModel(MlpNetwork network, TrainingSettings settings, IReadOnlyList<MlpEpochReport> history)
        => new(Host, network, settings, history);

    /// <summary>Part of ML.NET's trainer protocol, called by <c>Fit</c>; not for direct use.</summary>
    private protected override PredictionKind PredictionKind => PredictionKind.Regression;

    /// <summary>Part of ML.NET's trainer protocol, called by <c>Fit</c>; not for direct use.</summary>
    private protected override SchemaShape.Column[] GetOutputColumnsCore(SchemaShape inputSchema) => new[]
    {
        new SchemaShape.Column(DefaultColumnNames.Score, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false,
            new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation())),
    };

    /// <summary>Part of ML.NET's trainer protocol, called by <c>Fit</c>; not for direct use.</summary>
    private protected override RegressionPredictionTransformer<MlpRegressionModelParameters> MakeTransformer(MlpRegressionModelParameters model, DataViewSchema trainSchema)
        => new(Host, model, trainSchema, FeatureColumn.Name);
}
