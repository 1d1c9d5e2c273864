using System.ComponentModel;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MlpTrainer;
using MlpTrainer.Model;

[assembly: LoadableClass(typeof(MlpModelParameters), null, typeof(SignatureLoadModel),
    "MLP Multiclass Model", MlpModelParameters.LoaderSignature)]

namespace MlpTrainer;

/// <summary>
/// A trained multilayer perceptron for multiclass classification: the model inside the
/// <c>MulticlassPredictionTransformer&lt;MlpModelParameters&gt;</c> that <see cref="MlpEstimator"/> returns.
/// Its <c>Score</c> output is the vector of class probabilities (the softmax of the output layer). The layers
/// can be read for inspection; they cannot be changed.
/// </summary>
public sealed class MlpModelParameters : ModelParametersBase<VBuffer<float>>, IValueMapper
{
    internal const string LoaderSignature = "MlpMulticlassModel";
    internal const string RegistrationName = "MlpModelParameters";

    private readonly MlpNetwork _network;
    private readonly DataViewType _inputType;
    private readonly DataViewType _outputType;

    internal MlpModelParameters(IHostEnvironment env, MlpNetwork network, TrainingSettings settings, IReadOnlyList<MlpEpochReport> history)
        : base(env, RegistrationName)
    {
        _network = network;
        Settings = settings;
        TrainingHistory = history.ToArray();
        _inputType = new VectorDataViewType(NumberDataViewType.Single, network.Layout.InputSize);
        _outputType = new VectorDataViewType(NumberDataViewType.Single, network.Layout.OutputSize);
    }

    private MlpModelParameters(IHostEnvironment env, ModelLoadContext ctx)
        : base(env, RegistrationName, ctx)
    {
        // *** Binary format *** (after ModelParametersBase's int: sizeof(float))
        // MlpTrainer's format: see NetworkSerializer.
        string name = string.IsNullOrEmpty(ctx.Directory) ? "(at the root of the model)" : $"in '{ctx.Directory}'";
        long blockEnd = ctx.FpMin + ctx.Header.FpModel + ctx.Header.CbModel; // ML.NET's trailer follows the block
        NetworkSerializer.Contents contents = NetworkSerializer.Read(ctx.Reader, name, blockEnd);
        _network = contents.Network;
        Settings = contents.Settings;
        TrainingHistory = contents.History;
        _inputType = new VectorDataViewType(NumberDataViewType.Single, _network.Layout.InputSize);
        _outputType = new VectorDataViewType(NumberDataViewType.Single, _network.Layout.OutputSize);
    }

    /// <summary>Units per level: the number of features, each hidden layer, then the number of classes.</summary>
    public IReadOnlyList<int> LayerSizes => _network.Layout.Sizes;

    /// <summary>The number of dense layers: the hidden layers plus the output layer.</summary>
    public int LayerCount => _network.Layout.LayerCount;

    /// <summary>The activation of the hidden layers. The output layer is always followed by a softmax.</summary>
    public MlpActivation HiddenActivation => _network.HiddenActivation;

    /// <summary>The slope for negative inputs when <see cref="HiddenActivation"/> is LeakyReLU.</summary>
    public float LeakyReLUSlope => _network.LeakySlope;

    /// <summary>The number of classes, which is the length of the <c>Score</c> vector.</summary>
    public int NumberOfClasses => _network.Layout.OutputSize;

    /// <summary>The epochs this model was trained for, including those of a model it was warm-started from.</summary>
    public int EpochsTrained => Settings.EpochsTrained;

    /// <summary>
    /// One <see cref="MlpEpochReport"/> per epoch run, oldest first: training loss, validation loss and accuracy (with
    /// validation data), learning rate and seconds. Saved with the model; empty for models saved in format 1.
    /// </summary>
    public IReadOnlyList<MlpEpochReport> TrainingHistory { get; }

    internal MlpNetwork Network => _network;

    internal TrainingSettings Settings { get; }

    /// <summary>
    /// The weights of dense layer <paramref name="layer"/> (0 is the first hidden layer): a row-major
    /// matrix with one row of <c>LayerSizes[layer]</c> input weights for each of its <c>LayerSizes[layer + 1]</c> units.
    /// </summary>
    public ReadOnlyMemory<float> GetWeights(int layer) => _network.Weights(CheckLayer(layer));

    /// <summary>The biases of dense layer <paramref name="layer"/>, one per unit.</summary>
    public ReadOnlyMemory<float> GetBiases(int layer) => _network.Biases(CheckLayer(layer));

    /// <summary>Class probabilities for one row of features, the same values the <c>Score</c> column holds.</summary>
    public float[] Predict(ReadOnlySpan<float> features)
    {
        var probabilities = new float[NumberOfClasses];
        _network.Predict(features, probabilities, _network.CreateScratch());
        return probabilities;
    }

    private int CheckLayer(int layer)
    {
        if ((uint)layer >= (uint)LayerCount)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"The network has layers 0 to {LayerCount - 1}.");
        return layer;
    }

    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "MLPMULTI",
        // verWrittenCur: 0x00010001, // MlpTrainer format 1
        verWrittenCur: 0x00010002, // MlpTrainer format 2: training history
        // Older MlpTrainers pass ML.NET's check and then say themselves which format they cannot read.
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        // The simple name: ML.NET loads the assembly by this name, and a full name with a version would stop
        // models saved by one MlpTrainer version from loading under a newer one.
        loaderAssemblyName: typeof(MlpModelParameters).Assembly.GetName().Name);

    internal static MlpModelParameters Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(GetVersionInfo());
        return new MlpModelParameters(env, ctx);
    }

    /// <summary>Part of ML.NET's saving protocol; use <c>MLContext.Model.Save</c>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public override void SaveCore(ModelSaveContext ctx)
    {
        ctx.SetVersionInfo(GetVersionInfo());
        base.SaveCore(ctx);
        NetworkSerializer.Write(ctx.Writer, _network, Settings, TrainingHistory);
    }

    /// <summary>Part of ML.NET's predictor protocol.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public override PredictionKind PredictionKind => PredictionKind.MulticlassClassification;

    DataViewType IValueMapper.InputType => _inputType;

    DataViewType IValueMapper.OutputType => _outputType;

    ValueMapper<TSrc, TDst> IValueMapper.GetMapper<TSrc, TDst>()
    {
        Host.Check(typeof(TSrc) == typeof(VBuffer<float>), "MlpModelParameters maps a vector of Single features.");
        Host.Check(typeof(TDst) == typeof(VBuffer<float>), "MlpModelParameters produces a vector of Single scores.");

        // One mapper serves one cursor, so its buffers are reused for every row it scores.
        int features = _network.Layout.InputSize, classes = _network.Layout.OutputSize;
        var dense = new float[features];
        var scratch = _network.CreateScratch();
        ValueMapper<VBuffer<float>, VBuffer<float>> map = (in VBuffer<float> src, ref VBuffer<float> dst) =>
        {
            if (src.Length != features)
                throw Host.Except($"The MLP was trained on {features} features; this row has {src.Length}.");
            ReadOnlySpan<float> input;
            if (src.IsDense)
                input = src.GetValues();
            else
            {
                src.CopyTo(dense);
                input = dense;
            }
            var editor = VBufferEditor.Create(ref dst, classes);
            _network.Predict(input, editor.Values, scratch);
            dst = editor.Commit();
        };
        return (ValueMapper<TSrc, TDst>)(Delegate)map;
    }
}
