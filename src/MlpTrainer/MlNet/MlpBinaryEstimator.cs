using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MlpTrainer.Model;

namespace MlpTrainer;

/// <summary>
/// Trains a multilayer perceptron for binary classification: one sigmoid output trained on log-loss, with a Boolean
/// label. <c>Fit</c> returns ML.NET's <see cref="BinaryPredictionTransformer{TModel}"/> with <c>Score</c> (the logit),
/// <c>Probability</c> (its sigmoid, calibrated by construction — no calibrator needed) and <c>PredictedLabel</c>, so
/// <c>BinaryClassification.Evaluate</c> reports AUC, F1 and log-loss. Also <c>mlContext.BinaryClassification.Trainers.Mlp(...)</c>.
/// </summary>
public sealed class MlpBinaryEstimator : MlpEstimatorBase<BinaryPredictionTransformer<MlpBinaryModelParameters>, MlpBinaryModelParameters, float>
{
    internal const string LoadName = "MlpBinary";

    /// <summary>Creates the trainer. The options are checked and copied: later changes to them have no effect.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its documented range; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The loaded ML.NET is not a version this MlpTrainer supports; the message names the supported range.</exception>
    public MlpBinaryEstimator(MLContext mlContext, MlpOptions options)
        : this((IHostEnvironment)(mlContext ?? throw new ArgumentNullException(nameof(mlContext))), CheckOptions(options, MlpTask.Binary))
    {
    }

    private MlpBinaryEstimator(IHostEnvironment env, MlpOptions options)
        : base(env, LoadName, options, TrainerUtils.MakeBoolScalarLabel(options.LabelColumnName))
    {
    }

    internal static MlpBinaryEstimator Create(IHostEnvironment env, MlpOptions options) => new(env, CheckOptions(options, MlpTask.Binary));

    private protected override MlpTask Task => MlpTask.Binary;

    private protected override MlpBinaryModelParameters CreateModel(MlpNetwork network, TrainingSettings settings, IReadOnlyList<MlpEpochReport> history)
        => new(Host, network, settings, history);

    /// <summary>Part of ML.NET's trainer protocol, called by <c>Fit</c>; not for direct use.</summary>
    private protected override PredictionKind PredictionKind => PredictionKind.BinaryClassification;

    /// <summary>Part of ML.NET's trainer protocol, called by <c>Fit</c>; not for direct use.</summary>
    private protected override SchemaShape.Column[] GetOutputColumnsCore(SchemaShape inputSchema) => new[]
    {
        new SchemaShape.Column(DefaultColumnNames.Score, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false,
            new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation())),
        new SchemaShape.Column(DefaultColumnNames.Probability, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false,
            new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation(true))),
        new SchemaShape.Column(DefaultColumnNames.PredictedLabel, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false,
            new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation())),
    };

    /// <summary>Part of ML.NET's trainer protocol, called by <c>Fit</c>; not for direct use.</summary>
    private protected override BinaryPredictionTransformer<MlpBinaryModelParameters> MakeTransformer(MlpBinaryModelParameters model, DataViewSchema trainSchema)
        => new(Host, model, trainSchema, FeatureColumn.Name);
}
