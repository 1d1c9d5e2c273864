using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MlpTrainer.Model;

namespace MlpTrainer;

/// <summary>
/// What the three MLP models share: the layers (read-only), the training history, and MlpTrainer's model format
/// inside ML.NET's zip. <see cref="MlpModelParameters"/> (multiclass), <see cref="MlpBinaryModelParameters"/> and
/// <see cref="MlpRegressionModelParameters"/> differ only in their output.
/// </summary>
/// <typeparam name="TOutput">What the model produces per row: a vector of class probabilities, or one Single.</typeparam>
public abstract class MlpModelParametersBase<TOutput> : ModelParametersBase<TOutput>, IValueMapper
{
    private readonly DataViewType _inputType;

    private protected MlpModelParametersBase(IHostEnvironment env, string name, MlpNetwork network, TrainingSettings settings, IReadOnlyList<MlpEpochReport> history)
        : base(env, name)
    {
        Network = network;
        Settings = settings;
        TrainingHistory = history.ToArray();
        _inputType = new VectorDataViewType(NumberDataViewType.Single, network.Layout.InputSize);
    }

    private protected MlpModelParametersBase(IHostEnvironment env, string name, ModelLoadContext ctx, MlpTask expectedTask)
        : base(env, name, ctx)
    {
        // *** Binary format *** (after ModelParametersBase's int: sizeof(float)): MlpTrainer's format, see NetworkSerializer.
        string where = string.IsNullOrEmpty(ctx.Directory) ? "(at the root of the model)" : $"in '{ctx.Directory}'";
        long blockEnd = ctx.FpMin + ctx.Header.FpModel + ctx.Header.CbModel; // ML.NET's trailer follows the block
        NetworkSerializer.Contents contents;
        try
        {
            contents = NetworkSerializer.Read(ctx.Reader, where, blockEnd);
            if (contents.Network.Task != expectedTask)
                throw ModelFileDamage.Problem(where, $"it is a {contents.Network.Task} model, read as {expectedTask}");
        }
        catch (InvalidDataException e) when (ctx.InRepository)
        {
            // ML.NET wraps this once per pipeline level; MlpModelLoading.LoadMlp names the entry from here.
            e.Data[ModelFileDamage.EntryKey] = string.IsNullOrEmpty(ctx.Directory)
                ? ModelLoadContext.ModelStreamName
                : $"{ctx.Directory.Replace('\\', '/')}/{ModelLoadContext.ModelStreamName}";
            throw;
        }
        Network = contents.Network;
        Settings = contents.Settings;
        TrainingHistory = contents.History;
        _inputType = new VectorDataViewType(NumberDataViewType.Single, Network.Layout.InputSize);
    }

    /// <summary>Units per level: the number of features, each hidden layer, then the outputs (classes, or 1).</summary>
    public IReadOnlyList<int> LayerSizes => Network.Layout.Sizes;

    /// <summary>The number of dense layers: the hidden layers plus the output layer.</summary>
    public int LayerCount => Network.Layout.LayerCount;

    /// <summary>The activation of the hidden layers.</summary>
    public MlpActivation HiddenActivation => Network.HiddenActivation;

    /// <summary>The slope for negative inputs when <see cref="HiddenActivation"/> is LeakyReLU.</summary>
    public float LeakyReLUSlope => Network.LeakySlope;

    /// <summary>The epochs this model was trained for, including those of a model it was warm-started from.</summary>
    public int EpochsTrained => Settings.EpochsTrained;

    /// <summary>
    /// One <see cref="MlpEpochReport"/> per epoch run, oldest first: training loss, validation loss and accuracy (with
    /// validation data), learning rate and seconds. Saved with the model; empty for models saved in format 1.
    /// </summary>
    public IReadOnlyList<MlpEpochReport> TrainingHistory { get; }

    internal MlpNetwork Network { get; }

    internal TrainingSettings Settings { get; }

    /// <summary>
    /// The weights of dense layer <paramref name="layer"/> (0 is the first hidden layer): a row-major matrix with one
    /// row of <c>LayerSizes[layer]</c> input weights for each of its <c>LayerSizes[layer + 1]</c> units.
    /// </summary>
    /// <remarks>
    /// A model trained on sparse features stores its first layer the other way round (one row of unit weights per
    /// feature), so for it <c>GetWeights(0)</c> returns a transposed copy, allocated on every call:
    /// <c>LayerSizes[0] × LayerSizes[1]</c> floats, which for a wide hashed feature vector is large. Every other layer,
    /// and every layer of a model trained on dense features, is returned without a copy.
    /// </remarks>
    public ReadOnlyMemory<float> GetWeights(int layer) => Network.Weights(CheckLayer(layer));

    /// <summary>The biases of dense layer <paramref name="layer"/>, one per unit.</summary>
    public ReadOnlyMemory<float> GetBiases(int layer) => Network.Biases(CheckLayer(layer));

    private int CheckLayer(int layer)
    {
        if ((uint)layer >= (uint)LayerCount)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"The network has layers 0 to {LayerCount - 1}.");
        return layer;
    }

    /// <summary>
    /// Scores many rows at once with the blocked matrix kernels, much faster per row than ML.NET's row-by-row
    /// <c>Transform</c>: <paramref name="features"/> holds the rows one after another (<c>LayerSizes[0]</c> values each);
    /// <paramref name="outputs"/> receives <c>LayerSizes[^1]</c> values per row — class probabilities (multiclass), the
    /// logit (binary; the probability is its sigmoid) or the predicted value (regression). They equal the row-by-row
    /// scores up to float rounding (the sums run in another order). Returns the number of rows scored.
    /// </summary>
    /// <param name="features">Rows × features, row-major; its length must be a multiple of the feature count.</param>
    /// <param name="outputs">At least rows × outputs values.</param>
    /// <param name="numberOfThreads">Threads for the matrix products (1 to 256).</param>
    public int PredictBatch(ReadOnlySpan<float> features, Span<float> outputs, int numberOfThreads = 1)
    {
        int inputs = Network.Layout.InputSize;
        if (features.Length % inputs != 0)
            throw new ArgumentException($"The features hold {features.Length} values, not a whole number of rows of {inputs}.", nameof(features));
        if (numberOfThreads < 1 || numberOfThreads > 256)
            throw new ArgumentOutOfRangeException(nameof(numberOfThreads), numberOfThreads, "Threads must be 1 to 256.");
        int rows = features.Length / inputs;
        Network.PredictBatch(features, outputs, rows, numberOfThreads);
        return rows;
    }

    /// <summary>
    /// Scores many sparse rows at once, given in compressed sparse row form — what hashed, one-hot and text features
    /// are: row r's non-zero features are <paramref name="indices"/>[<paramref name="rowStarts"/>[r] ..
    /// <paramref name="rowStarts"/>[r + 1]) (strictly increasing within a row, each 0 to <c>LayerSizes[0] − 1</c>) with
    /// the matching <paramref name="values"/>; every other feature is 0. The first layer reads only the non-zeros, so
    /// no input-wide row is ever made (a model trained on millions of hashed slots scores a batch in the time its
    /// non-zeros take); the deeper layers use the blocked matrix kernels. <paramref name="outputs"/> receives
    /// <c>LayerSizes[^1]</c> values per row, as the dense overload gives them. Returns the number of rows scored.
    /// </summary>
    /// <param name="rowStarts">Where each row's non-zeros start, then their total: rows + 1 entries, from 0 to <c>indices.Length</c>.</param>
    /// <param name="indices">The non-zero features' slots, row after row.</param>
    /// <param name="values">The non-zero features' values, matching <paramref name="indices"/>.</param>
    /// <param name="outputs">At least rows × outputs values.</param>
    /// <param name="numberOfThreads">Threads for the matrix products (1 to 256).</param>
    public int PredictBatch(ReadOnlySpan<int> rowStarts, ReadOnlySpan<int> indices, ReadOnlySpan<float> values, Span<float> outputs, int numberOfThreads = 1)
    {
        if (numberOfThreads < 1 || numberOfThreads > 256)
            throw new ArgumentOutOfRangeException(nameof(numberOfThreads), numberOfThreads, "Threads must be 1 to 256.");
        Network.PredictBatch(rowStarts, indices, values, outputs, numberOfThreads);
        return Math.Max(0, rowStarts.Length - 1);
    }

    /// <summary>The network's output for one row: probabilities (multiclass), the logit (binary) or the value (regression).</summary>
    private protected float[] Output(ReadOnlySpan<float> features)
    {
        var output = new float[Network.Layout.OutputSize];
        Network.Predict(features, output, Network.CreateScratch());
        return output;
    }

    private protected abstract VersionInfo GetVersionInfo();

    /// <summary>Part of ML.NET's saving protocol; use <c>MLContext.Model.Save</c>.</summary>
    private protected override void SaveCore(ModelSaveContext ctx)
    {
        ctx.SetVersionInfo(GetVersionInfo());
        base.SaveCore(ctx);
        NetworkSerializer.Write(ctx.Writer, Network, Settings, TrainingHistory);
    }

    DataViewType IValueMapper.InputType => _inputType;

    DataViewType IValueMapper.OutputType => OutputType;

    private protected abstract DataViewType OutputType { get; }

    ValueMapper<TSrc, TDst> IValueMapper.GetMapper<TSrc, TDst>()
    {
        Host.Check(typeof(TSrc) == typeof(VBuffer<float>), "An MLP maps a vector of Single features.");
        Host.Check(typeof(TDst) == typeof(TOutput), $"This MLP produces {typeof(TOutput).Name}.");
        return (ValueMapper<TSrc, TDst>)(Delegate)CreateMapper();
    }

    /// <summary>A mapper with its own buffers: ML.NET asks for one per cursor, so the buffers are reused for every row it scores.</summary>
    private protected abstract ValueMapper<VBuffer<float>, TOutput> CreateMapper();

    /// <summary>
    /// Runs the network on one row into <paramref name="output"/>; the shared body of every task's mapper. A sparse row
    /// goes to the network as it is (indices and values), never copied into a dense row here: the network reads only
    /// its non-zeros where that is the fast path.
    /// </summary>
    private protected void Score(in VBuffer<float> src, Span<float> output, (float[] A, float[] B) scratch)
    {
        int features = Network.Layout.InputSize;
        if (src.Length != features)
            throw Host.Except($"The MLP was trained on {features} features; this row has {src.Length}.");
        if (src.IsDense)
            Network.Predict(src.GetValues(), output, scratch);
        else
            Network.Predict(src.GetIndices(), src.GetValues(), output, scratch);
    }

    /// <summary>Version info in the form every MLP model uses; each model has its own signatures.</summary>
    private protected static VersionInfo MakeVersionInfo(string modelSignature, string loaderSignature) => new(
        modelSignature: modelSignature,
        // verWrittenCur: 0x00010001, // MlpTrainer format 1
        // verWrittenCur: 0x00010002, // MlpTrainer format 2: training history, tasks
        verWrittenCur: 0x00010003, // MlpTrainer format 3: the first layer's layout (input-major for sparse features)
        // Older MlpTrainers pass ML.NET's check and then say themselves which format they cannot read.
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: loaderSignature,
        // The simple name: ML.NET loads the assembly by this name, and a full name with a version would stop
        // models saved by one MlpTrainer version from loading under a newer one.
        loaderAssemblyName: typeof(MlpModelParametersBase<>).Assembly.GetName().Name);
}
