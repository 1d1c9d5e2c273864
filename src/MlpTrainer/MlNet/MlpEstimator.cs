using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MlpTrainer.Model;

namespace MlpTrainer;

/// <summary>
/// Trains a multilayer perceptron for multiclass classification by backpropagation with minibatch SGD, Adam, AdamW or
/// RMSProp. Use it like ML.NET's own multiclass trainers: after <c>MapValueToKey</c> on the label and a normalizer on
/// the features, append it to a pipeline (or call <c>mlContext.MulticlassClassification.Trainers.Mlp(...)</c>).
/// <c>Fit</c> returns ML.NET's <see cref="MulticlassPredictionTransformer{TModel}"/>, whose <c>Score</c> column holds the
/// class probabilities and whose <c>PredictedLabel</c> the most probable class, so
/// <c>MulticlassClassification.Evaluate</c>, <c>MapKeyToValue</c>, <c>PredictionEngine</c>, permutation feature
/// importance and <c>MLContext.Model.Save/Load</c> work as with any built-in trainer.
/// </summary>
public sealed class MlpEstimator : MlpEstimatorBase<MulticlassPredictionTransformer<MlpModelParameters>, MlpModelParameters, VBuffer<float>>
{
    internal const string LoadName = "MlpMulticlass";

    /// <summary>Creates the trainer. The options are checked and copied: later changes to them have no effect.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its documented range; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The loaded ML.NET is not a version this MlpTrainer supports; the message names the supported range.</exception>
    public MlpEstimator(MLContext mlContext, MlpOptions options)
        : this((IHostEnvironment)(mlContext ?? throw new ArgumentNullException(nameof(mlContext))), CheckOptions(options, MlpTask.Multiclass))
    {
    }

    private MlpEstimator(IHostEnvironment env, MlpOptions options)
        : base(env, LoadName, options, TrainerUtils.MakeU4ScalarColumn(options.LabelColumnName))
    {
    }

    internal static MlpEstimator Create(IHostEnvironment env, MlpOptions options) => new(env, CheckOptions(options, MlpTask.Multiclass));

    private protected override MlpTask Task => MlpTask.Multiclass;

    private protected override MlpModelParameters CreateModel(MlpNetwork network, TrainingSettings settings, IReadOnlyList<MlpEpochReport> history)
        => new(Host, network, settings, history);

    /// <summary>Part of ML.NET's trainer protocol, called by <c>Fit</c>; not for direct use.</summary>
    private protected override PredictionKind PredictionKind => PredictionKind.MulticlassClassification;

    /// <summary>Part of ML.NET's trainer protocol, called by <c>Fit</c>; not for direct use.</summary>
    private protected override void CheckLabelCompatible(SchemaShape.Column labelCol)
    {
        if (!labelCol.IsKey || labelCol.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw Host.ExceptSchemaMismatch(nameof(labelCol), "label", LabelColumn.Name, "Key", labelCol.GetTypeString());
    }

    /// <summary>Part of ML.NET's trainer protocol, called by <c>Fit</c>; not for direct use.</summary>
    private protected override SchemaShape.Column[] GetOutputColumnsCore(SchemaShape inputSchema)
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
    private protected override MulticlassPredictionTransformer<MlpModelParameters> MakeTransformer(MlpModelParameters model, DataViewSchema trainSchema)
        => new(Host, model, trainSchema, FeatureColumn.Name, LabelColumn.Name);
}
