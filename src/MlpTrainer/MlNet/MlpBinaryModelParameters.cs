using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlpTrainer;
using MlpTrainer.Losses;
using MlpTrainer.Model;

[assembly: LoadableClass(typeof(MlpBinaryModelParameters), null, typeof(SignatureLoadModel),
    "MLP Binary Model", MlpBinaryModelParameters.LoaderSignature)]

namespace MlpTrainer;

/// <summary>
/// A trained multilayer perceptron for binary classification: the model inside the
/// <c>BinaryPredictionTransformer&lt;MlpBinaryModelParameters&gt;</c> that <see cref="MlpBinaryEstimator"/> returns.
/// <c>Score</c> is the output logit z and <c>Probability</c> its sigmoid σ(z), calibrated by construction (the
/// network is trained on log-loss); <c>PredictedLabel</c> is z &gt; 0, i.e. probability &gt; ½.
/// </summary>
public sealed class MlpBinaryModelParameters : MlpModelParametersBase<float>, IValueMapperDist, IDistPredictorProducing<float, float>
{
    internal const string LoaderSignature = "MlpBinaryModel";
    internal const string RegistrationName = "MlpBinaryModelParameters";

    internal MlpBinaryModelParameters(IHostEnvironment env, MlpNetwork network, TrainingSettings settings, IReadOnlyList<MlpEpochReport> history)
        : base(env, RegistrationName, network, settings, history)
    {
    }

    private MlpBinaryModelParameters(IHostEnvironment env, ModelLoadContext ctx)
        : base(env, RegistrationName, ctx, MlpTask.Binary)
    {
    }

    /// <summary>The probability of the positive class for one row of features, the value of the <c>Probability</c> column.</summary>
    public float PredictProbability(ReadOnlySpan<float> features) => SigmoidCrossEntropyLoss.Sigmoid(Output(features)[0]);

    /// <summary>The logit for one row of features, the value of the <c>Score</c> column.</summary>
    public float PredictScore(ReadOnlySpan<float> features) => Output(features)[0];

    /// <summary>ML.NET's loader for this model, found through the LoadableClass attribute above.</summary>
    internal static MlpBinaryModelParameters Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        MlNetVersionCheck.ThrowIfUnsupported();
        return Load(env, ctx);
    }

    private static MlpBinaryModelParameters Load(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(VersionInfo);
        return new MlpBinaryModelParameters(env, ctx);
    }

    private static VersionInfo VersionInfo => MakeVersionInfo("MLPBINRY", LoaderSignature);

    private protected override VersionInfo GetVersionInfo() => VersionInfo;

    /// <summary>Part of ML.NET's predictor protocol.</summary>
    private protected override PredictionKind PredictionKind => PredictionKind.BinaryClassification;

    private protected override DataViewType OutputType => NumberDataViewType.Single;

    DataViewType IValueMapperDist.DistType => NumberDataViewType.Single;

    private protected override ValueMapper<VBuffer<float>, float> CreateMapper()
    {
        var output = new float[1];
        var scratch = Network.CreateScratch();
        return (in VBuffer<float> src, ref float score) =>
        {
            Score(src, output, scratch);
            score = output[0];
        };
    }

    ValueMapper<TSrc, TDst, TDist> IValueMapperDist.GetMapper<TSrc, TDst, TDist>()
    {
        Host.Check(typeof(TSrc) == typeof(VBuffer<float>), "An MLP maps a vector of Single features.");
        Host.Check(typeof(TDst) == typeof(float) && typeof(TDist) == typeof(float), "A binary MLP produces a Single score and probability.");
        var output = new float[1];
        var scratch = Network.CreateScratch();
        ValueMapper<VBuffer<float>, float, float> map = (in VBuffer<float> src, ref float score, ref float probability) =>
        {
            Score(src, output, scratch);
            score = output[0];
            probability = SigmoidCrossEntropyLoss.Sigmoid(score);
        };
        return (ValueMapper<TSrc, TDst, TDist>)(Delegate)map;
    }
}
