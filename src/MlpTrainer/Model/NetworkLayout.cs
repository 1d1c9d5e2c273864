namespace MlpTrainer.Model;

/// <summary>
/// The shape of a fully connected network and where each layer's parameters sit in one flat parameter vector.
/// Layer <c>l</c> maps <c>Sizes[l]</c> inputs to <c>Sizes[l + 1]</c> outputs; its weights are a row-major
/// <c>Sizes[l + 1] × Sizes[l]</c> matrix (one row per output unit, as in PyTorch's <c>Linear</c>) followed by
/// its <c>Sizes[l + 1]</c> biases. Keeping every parameter in one array lets an optimizer update the whole
/// network in one vectorised pass and lets persistence write it in one block.
/// <para>
/// A network trained on sparse features has an input-major first layer (<see cref="InputMajorFirstLayer"/>): layer 0's
/// weights are then a row-major <c>Sizes[0] × Sizes[1]</c> matrix, one row of <c>Sizes[1]</c> weights per input slot, so
/// that one non-zero feature reads (and its gradient writes) one contiguous run of the hidden units. Every other layer,
/// and the first layer of a dense network, keeps the unit-major layout.
/// </para>
/// </summary>
internal sealed class NetworkLayout
{
    private readonly int[] _sizes;
    private readonly long[] _weightOffsets;
    private readonly long[] _biasOffsets;

    /// <param name="sizes">Units per level: inputs, each hidden layer, outputs.</param>
    /// <param name="inputMajorFirstLayer">Lay the first layer out input-major, for sparse features.</param>
    public NetworkLayout(IReadOnlyList<int> sizes, bool inputMajorFirstLayer = false)
    {
        InputMajorFirstLayer = inputMajorFirstLayer;
        if (sizes.Count < 2)
            throw new ArgumentException("A network needs an input size and an output size.", nameof(sizes));
        _sizes = sizes.ToArray();
        for (int i = 0; i < _sizes.Length; i++)
        {
            if (_sizes[i] < 1)
                throw new ArgumentOutOfRangeException(nameof(sizes), _sizes[i], $"Layer size {i} must be at least 1.");
        }

        _weightOffsets = new long[LayerCount];
        _biasOffsets = new long[LayerCount];
        long offset = 0;
        for (int l = 0; l < LayerCount; l++)
        {
            _weightOffsets[l] = offset;
            offset += (long)_sizes[l] * _sizes[l + 1];
            _biasOffsets[l] = offset;
            offset += _sizes[l + 1];
        }
        if (offset > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(sizes), offset, $"The network has {offset} parameters; at most {Array.MaxLength} fit in one array.");
        ParameterCount = (int)offset;
    }

    /// <summary>
    /// True when layer 0's weights are input-major (one row of <c>Sizes[1]</c> weights per input slot), the layout of
    /// the sparse first layer; false for the unit-major layout of every other layer.
    /// </summary>
    public bool InputMajorFirstLayer { get; }

    /// <summary>Units per level: the input width, each hidden layer, then the output width.</summary>
    public IReadOnlyList<int> Sizes => _sizes;

    /// <summary>The number of dense (affine) layers: one per hidden layer plus the output layer.</summary>
    public int LayerCount => _sizes.Length - 1;

    public int InputSize => _sizes[0];

    public int OutputSize => _sizes[^1];

    /// <summary>The widest level, which sizes the scratch buffers.</summary>
    public int MaxWidth => _sizes.Max();

    public int ParameterCount { get; }

    public int InputsOf(int layer) => _sizes[layer];

    public int OutputsOf(int layer) => _sizes[layer + 1];

    public int WeightOffset(int layer) => (int)_weightOffsets[layer];

    public int WeightCount(int layer) => _sizes[layer] * _sizes[layer + 1];

    public int BiasOffset(int layer) => (int)_biasOffsets[layer];

    /// <summary>The same sizes and the same first-layer layout.</summary>
    public bool SameShapeAs(NetworkLayout other) => _sizes.AsSpan().SequenceEqual(other._sizes) && InputMajorFirstLayer == other.InputMajorFirstLayer;

    public override string ToString() => string.Join("-", _sizes);
}
