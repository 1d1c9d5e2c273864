using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlpTrainer;
using MlpTrainer.Model;

[assembly: LoadableClass(typeof(MlpRegressionModelParameters), null, typeof(SignatureLoadModel),
    "MLP Regression Model", MlpRegressionModelParameters.LoaderSignature)]

namespace MlpTrainer;

/// <summary>
/// A trained multilayer perceptron for regression: the model inside the
/// <c>RegressionPredictionTransformer&lt;MlpRegressionModelParameters&gt;</c> that <see cref="MlpRegressionEstimator"/>
/// returns. <c>Score</c> is the predicted value, in the label's units (a target scaling learned with
/// <see cref="MlpOptions.NormalizeLabel"/> is undone).
/// </summary>
public sealed class MlpRegressionModelParameters : MlpModelParametersBase<float>
{
    internal const string LoaderSignature = "MlpRegressionModel";
    internal const string RegistrationName = "MlpRegressionModelParameters";

    internal MlpRegressionModelParameters(IHostEnvironment env, MlpNetwork network, TrainingSettings settings, IReadOnlyList<MlpEpochReport> history)
        : base(env, RegistrationName, network, settings, history)
    {
    }

    private MlpRegressionModelParameters(IHostEnvironment env, ModelLoadContext ctx)
        : base(env, RegistrationName, ctx, MlpTask.Regression)
    {
    }

    /// <summary>The predicted value for one row of features, the value of the <c>Score</c> column.</summary>
    public float Predict(ReadOnlySpan<float> features) => Output(features)[0];

    /// <summary>The label's mean and standard deviation learned with <see cref="MlpOptions.NormalizeLabel"/> (0 and 1 without it).</summary>
    public (float Mean, float StandardDeviation) LabelScaling => (Network.OutputOffset, Network.OutputScale);

    /// <summary>ML.NET's loader for this model, found through the LoadableClass attribute above.</summary>
    internal static MlpRegressionModelParameters Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        MlNetVersionCheck.ThrowIfUnsupported();
        return Load(env, ctx);
    }

    private static MlpRegressionModelParameters Load(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(VersionInfo);
        return new MlpRegressionModelParameters(env, ctx);
    }

    private static VersionInfo VersionInfo => MakeVersionInfo("MLPREGRS", LoaderSignature);

    private protected override VersionInfo GetVersionInfo() => VersionInfo;

    /// <summary>Part of ML.NET's predictor protocol.</summary>
    private protected override PredictionKind PredictionKind => PredictionKind.Regression;

    private protected override DataViewType OutputType => NumberDataViewType.Single;

    private protected override ValueMapper<VBuffer<float>, float> CreateMapper()
    {
        var output = new float[1];
        var scratch = Network.CreateScratch();
        return (in VBuffer<float> src, ref float value) =>
        {
            Score(src, output, scratch);
            value = output[0];
        };
    }
}
