using MlpTrainer.Data;
using MlpTrainer.Kernels;
using MlpTrainer.Model;

namespace MlpTrainer.Layers;

/// <summary>
/// The layers of a network, made once from its layout and hidden activation: the one forward pass that training
/// (<c>BackpropTrainer</c>) and scoring (<see cref="MlpNetwork"/>, a row or a batch at a time) share. Which layer kind
/// each level is (a sparse, input-major first layer or dense ones) and which activation it applies (the hidden one, and
/// none on the output layer, whose loss or output transform applies its own) is decided here and nowhere else, so a
/// network scores exactly as it trained.
/// </summary>
internal sealed class LayerStack
{
    private readonly DenseLayer?[] _dense;

    public LayerStack(NetworkLayout layout, MlpActivation hiddenActivation, float leakySlope)
    {
        Layout = layout;
        int last = layout.LayerCount - 1;
        _dense = new DenseLayer?[layout.LayerCount];
        for (int l = 0; l <= last; l++)
        {
            MlpActivation activation = l == last ? MlpActivation.Identity : hiddenActivation;
            if (l == 0 && layout.InputMajorFirstLayer)
                SparseInput = new SparseInputLayer(layout, activation, leakySlope);
            else
                _dense[l] = new DenseLayer(layout, l, activation, leakySlope);
        }
    }

    public NetworkLayout Layout { get; }

    /// <summary>The first layer when it is input-major (sparse features); null when every layer is dense.</summary>
    public SparseInputLayer? SparseInput { get; }

    /// <summary>The activation layer <paramref name="layer"/> applies (none on the output layer) and its LeakyReLU slope.</summary>
    public (MlpActivation Activation, float LeakySlope) ActivationOf(int layer)
        => layer == 0 && SparseInput is not null ? (SparseInput.Activation, SparseInput.LeakySlope) : (Dense(layer).Activation, Dense(layer).LeakySlope);

    /// <summary>Dense layer <paramref name="layer"/> (any layer but an input-major first one).</summary>
    public DenseLayer Dense(int layer) => _dense[layer] ?? throw new InvalidOperationException($"Layer {layer} is the sparse first layer.");

    /// <summary>
    /// Layer <paramref name="layer"/>'s forward pass over <paramref name="rows"/> rows: <paramref name="output"/> =
    /// f(input·Wᵀ + b). The first layer reads <paramref name="sparseInput"/> when it is sparse and the rows come sparse,
    /// <paramref name="input"/> (dense, row-major) otherwise.
    /// </summary>
    public void Forward(int layer, GemmEngine gemm, float[] parameters, float[] input, SparseRows? sparseInput, float[] output, int rows)
    {
        if (layer == 0 && SparseInput is not null)
        {
            if (sparseInput is not null)
                SparseInput.Forward(parameters, sparseInput, output, rows);
            else
                SparseInput.ForwardDense(gemm, parameters, input, output, rows);
        }
        else
        {
            Dense(layer).Forward(gemm, parameters, input, output, rows);
        }
    }

    /// <summary>
    /// The whole forward pass, as the network scores (no dropout), over <paramref name="rows"/> rows: level 0 of
    /// <paramref name="levels"/> (or <paramref name="sparseInput"/>) is the input, level l + 1 receives layer l's output.
    /// From <paramref name="fromLayer"/> 1, level 1 already holds the first layer's pre-activations (gathered row by row
    /// from sparse rows), which take their bias and activation here.
    /// </summary>
    public void Forward(GemmEngine gemm, float[] parameters, float[][] levels, SparseRows? sparseInput, int rows, int fromLayer = 0)
    {
        if (fromLayer == 1)
            AddBiasAndActivateFirst(parameters, levels[1], rows);
        for (int l = fromLayer; l < Layout.LayerCount; l++)
            Forward(l, gemm, parameters, levels[l], sparseInput, levels[l + 1], rows);
    }

    /// <summary>The first layer's pre-activations of one dense row (no bias, no activation).</summary>
    public void FirstLayerRow(float[] parameters, ReadOnlySpan<float> features, Span<float> z)
    {
        if (SparseInput is not null)
            SparseInput.AccumulateRow(parameters, features, z);
        else
            Dense(0).MultiplyRow(parameters, features, z);
    }

    /// <summary>The first layer's pre-activations of one sparse row (no bias, no activation), reading only its non-zeros.</summary>
    public void FirstLayerRow(float[] parameters, ReadOnlySpan<int> indices, ReadOnlySpan<float> values, Span<float> z)
    {
        if (SparseInput is not null)
            SparseInput.AccumulateRow(parameters, indices, values, z);
        else
            Dense(0).GatherRow(parameters, indices, values, z);
    }

    /// <summary>The first layer's bias and activation on one row of its pre-activations.</summary>
    public void AddBiasAndActivateFirst(float[] parameters, Span<float> z)
    {
        if (SparseInput is not null)
            SparseInput.AddBiasAndActivate(parameters, z);
        else
            Dense(0).AddBiasAndActivate(parameters, z);
    }

    private void AddBiasAndActivateFirst(float[] parameters, float[] z, int rows)
    {
        if (SparseInput is not null)
            SparseInput.AddBiasAndActivate(parameters, z, rows);
        else
            Dense(0).AddBiasAndActivate(parameters, z, rows);
    }

    /// <summary>
    /// The layers after the first for one row: <paramref name="first"/> holds the first layer's output, the last layer's
    /// output is written to <paramref name="destination"/>, and <paramref name="scratchA"/>/<paramref name="scratchB"/>
    /// (each as wide as the widest level) hold the levels between; <paramref name="first"/> may be in
    /// <paramref name="scratchA"/>.
    /// </summary>
    public void ForwardRowAfterFirst(float[] parameters, ReadOnlySpan<float> first, Span<float> destination, Span<float> scratchA, Span<float> scratchB)
    {
        int last = Layout.LayerCount - 1;
        ReadOnlySpan<float> input = first;
        for (int l = 1; l <= last; l++)
        {
            int outputs = Layout.OutputsOf(l);
            Span<float> output = l == last ? destination : ((l & 1) == 1 ? scratchB : scratchA).Slice(0, outputs);
            Dense(l).ForwardRow(parameters, input, output);
            input = output;
        }
    }
}
