using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlpTrainer;
using MlpTrainer.Model;

[assembly: LoadableClass(typeof(MlpModelParameters), null, typeof(SignatureLoadModel),
    "MLP Multiclass Model", MlpModelParameters.LoaderSignature)]

namespace MlpTrainer;

/// <summary>
/// A trained multilayer perceptron for multiclass classification: the model inside the
/// <c>MulticlassPredictionTransformer&lt;MlpModelParameters&gt;</c> that <see cref="MlpEstimator"/> returns.
/// Its <c>Score</c> output is the vector of class probabilities (the softmax of the output layer).
/// </summary>
public sealed class MlpModelParameters : MlpModelParametersBase<VBuffer<float>>
{
    internal const string LoaderSignature = "MlpMulticlassModel";
    internal const string RegistrationName = "MlpModelParameters";

    private readonly DataViewType _outputType;

    internal MlpModelParameters(IHostEnvironment env, MlpNetwork network, TrainingSettings settings, IReadOnlyList<MlpEpochReport> history)
        : base(env, RegistrationName, network, settings, history)
    {
        _outputType = new VectorDataViewType(NumberDataViewType.Single, network.Layout.OutputSize);
    }

    private MlpModelParameters(IHostEnvironment env, ModelLoadContext ctx)
        : base(env, RegistrationName, ctx, MlpTask.Multiclass)
    {
        _outputType = new VectorDataViewType(NumberDataViewType.Single, Network.Layout.OutputSize);
    }

    /// <summary>The number of classes, which is the length of the <c>Score</c> vector.</summary>
    public int NumberOfClasses => Network.Layout.OutputSize;

    /// <summary>Class probabilities for one row of features, the same values the <c>Score</c> column holds.</summary>
    public float[] Predict(ReadOnlySpan<float> features) => Output(features);

    /// <summary>ML.NET's loader for this model, found through the LoadableClass attribute above.</summary>
    internal static MlpModelParameters Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        MlNetVersionCheck.ThrowIfUnsupported();
        return Load(env, ctx);
    }

    private static MlpModelParameters Load(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(VersionInfo);
        return new MlpModelParameters(env, ctx);
    }

    private static VersionInfo VersionInfo => MakeVersionInfo("MLPMULTI", LoaderSignature);

    private protected override VersionInfo GetVersionInfo() => VersionInfo;

    /// <summary>Part of ML.NET's predictor protocol.</summary>
    private protected override PredictionKind PredictionKind => PredictionKind.MulticlassClassification;

    private protected override DataViewType OutputType => _outputType;

    private protected override ValueMapper<VBuffer<float>, VBuffer<float>> CreateMapper()
    {
        int classes = NumberOfClasses;
        var scratch = Network.CreateScratch();
        return (in VBuffer<float> src, ref VBuffer<float> dst) =>
        {
            var editor = VBufferEditor.Create(ref dst, classes);
            Score(src, editor.Values, scratch);
            dst = editor.Commit();
        };
    }
}
