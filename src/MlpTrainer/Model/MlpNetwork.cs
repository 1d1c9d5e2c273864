using System.Numerics;
using System.Numerics.Tensors;
using MlpTrainer.Kernels;
using MlpTrainer.Layers;
using MlpTrainer.Losses;

namespace MlpTrainer.Model;

/// <summary>
/// A trained network for scoring: its task, layout, hidden activation and parameter vector, never changed after
/// construction. Scoring one row is a chain of matrix–vector products (one dot product per unit, over the
/// contiguous row of weights that unit owns), the activation, and the task's output transform: a softmax over the
/// classes (multiclass), the raw logit (binary; the probability is its sigmoid), or z·scale + offset (regression,
/// undoing the target standardisation of <see cref="MlpOptions.NormalizeLabel"/>).
/// <para>
/// A network trained on sparse features stores its first layer input-major (<see cref="NetworkLayout.InputMajorFirstLayer"/>):
/// its pre-activations are z = Σ_j x_j·Wᵀ[j] over the non-zero features only, each adding one contiguous row of
/// weights to all the units at once, so a row costs its non-zeros × units however wide the input is. Rows given sparse
/// (<see cref="Predict(ReadOnlySpan{int}, ReadOnlySpan{float}, Span{float}, ValueTuple{float[], float[]})"/>) are never
/// made dense for such a network.
/// </para>
/// </summary>
internal sealed class MlpNetwork
{
    /// <summary>
    /// A unit-major first layer reads a sparse row's weights column by column when the row has at most one non-zero in
    /// this many features; denser rows are spread into a dense scratch row and take the dense path.
    /// </summary>
    private const int SparseGatherRatio = 16;

    /// <summary>Rows scored together by the <c>PredictBatch</c> methods: large enough for the matrix kernels, small enough to stay in cache.</summary>
    private const int BatchBlockRows = 512;

    /// <summary>At most this many input values are copied per block of the dense <c>PredictBatch</c> (16 MiB), so very wide inputs take smaller blocks.</summary>
    private const int BatchBlockInputValues = 1 << 22;

    private readonly float[] _parameters;

    /// <summary>The layers, shared in kind and activation with training's forward pass.</summary>
    private readonly LayerStack _layers;

    /// <summary>The widest level after the input, which sizes the scratch rows of the units.</summary>
    private readonly int _unitWidth;

    /// <summary>
    /// A single-thread matrix engine kept between <c>PredictBatch</c> calls, so scoring batch after batch does not
    /// allocate its packing buffers (about 2 MiB) every time. One caller at a time takes it; a concurrent caller makes
    /// its own. Engines with worker threads are kept process-wide instead, resting, by <see cref="GemmEnginePool"/>.
    /// </summary>
    private GemmEngine? _idleEngine;

    public MlpNetwork(NetworkLayout layout, MlpActivation hiddenActivation, float leakySlope, float[] parameters,
        MlpTask task = MlpTask.Multiclass, float outputScale = 1f, float outputOffset = 0f)
    {
        if (parameters.Length != layout.ParameterCount)
            throw new ArgumentException($"A {layout} network has {layout.ParameterCount} parameters; got {parameters.Length}.", nameof(parameters));
        if (task != MlpTask.Multiclass && layout.OutputSize != 1)
            throw new ArgumentException($"A {task} network has one output; this layout has {layout.OutputSize}.", nameof(layout));
        if (!(float.IsFinite(outputScale) && outputScale != 0 && float.IsFinite(outputOffset)))
            throw new ArgumentOutOfRangeException(nameof(outputScale), $"The output scale ({outputScale}) must be finite and non-zero and the offset ({outputOffset}) finite.");
        Layout = layout;
        HiddenActivation = hiddenActivation;
        LeakySlope = leakySlope;
        _parameters = parameters;
        Task = task;
        OutputScale = outputScale;
        OutputOffset = outputOffset;
        _unitWidth = layout.Sizes.Skip(1).Max();
        _layers = new LayerStack(layout, hiddenActivation, leakySlope);
    }

    public MlpTask Task { get; }

    /// <summary>Regression outputs are z·OutputScale + OutputOffset; 1 and 0 for the other tasks.</summary>
    public float OutputScale { get; }

    public float OutputOffset { get; }

    public NetworkLayout Layout { get; }

    public MlpActivation HiddenActivation { get; }

    public float LeakySlope { get; }

    /// <summary>The flat parameter vector, in the layout's order (an input-major first layer as stored).</summary>
    public ReadOnlySpan<float> Parameters => _parameters;

    /// <summary>True for the one layer stored input-major: layer 0 of a network whose layout says so.</summary>
    public bool IsInputMajor(int layer) => layer == 0 && Layout.InputMajorFirstLayer;

    /// <summary>
    /// The weights of <paramref name="layer"/> unit-major, a row-major <c>OutputsOf(layer) × InputsOf(layer)</c> matrix
    /// with one row per unit. For an input-major layer (<see cref="IsInputMajor"/>) this is a transposed copy, made on
    /// every call; <see cref="StoredWeights"/> reads the stored matrix without copying.
    /// </summary>
    public ReadOnlyMemory<float> Weights(int layer)
    {
        ReadOnlyMemory<float> stored = StoredWeights(layer);
        return IsInputMajor(layer) ? Transposed(stored.Span, Layout.InputsOf(layer), Layout.OutputsOf(layer)) : stored;
    }

    /// <summary>
    /// The weights of <paramref name="layer"/> as the parameter vector holds them: unit-major (<c>OutputsOf × InputsOf</c>,
    /// a row per unit), or input-major (<c>InputsOf × OutputsOf</c>, a row per input) when <see cref="IsInputMajor"/>.
    /// </summary>
    public ReadOnlyMemory<float> StoredWeights(int layer) => _parameters.AsMemory(Layout.WeightOffset(layer), Layout.WeightCount(layer));

    public ReadOnlyMemory<float> Biases(int layer) => _parameters.AsMemory(Layout.BiasOffset(layer), Layout.OutputsOf(layer));

    /// <summary>
    /// Scratch space for <see cref="Predict(ReadOnlySpan{float}, Span{float}, ValueTuple{float[], float[]})"/> and the
    /// sparse overload: two rows as wide as the widest level after the input; for a unit-major network the second is
    /// also as wide as the input, to hold a sparse row made dense. An input-major network never needs an input-wide row.
    /// </summary>
    public (float[] A, float[] B) CreateScratch()
        => (new float[_unitWidth], new float[Layout.InputMajorFirstLayer ? _unitWidth : Math.Max(_unitWidth, Layout.InputSize)]);

    /// <summary>
    /// The task's output for one row of features: class probabilities (multiclass), the logit (binary) or the
    /// predicted value (regression). An input-major first layer reads only the non-zero features.
    /// </summary>
    public void Predict(ReadOnlySpan<float> features, Span<float> probabilities, (float[] A, float[] B) scratch)
    {
        if (features.Length != Layout.InputSize)
            throw new ArgumentException($"The network takes {Layout.InputSize} features; got {features.Length}.", nameof(features));
        CheckDestinationAndScratch(probabilities, scratch, denseInputRow: false);

        Span<float> first = FirstLayerOutput(probabilities, scratch);
        _layers.FirstLayerRow(_parameters, features, first);
        FinishScoring(first, probabilities, scratch);
    }

    /// <summary>
    /// The task's output for one sparse row: the features at <paramref name="indices"/> (strictly increasing, each 0 to
    /// <c>InputSize − 1</c>) have <paramref name="values"/>, every other feature is 0. The result is the one the dense row
    /// gives: bit for bit for an input-major network, which reads one row of weights per non-zero and never makes the
    /// row dense; up to float rounding for a unit-major one, which reads its weights column by column for a very sparse
    /// row and otherwise spreads the row into <paramref name="scratch"/> and scores it as dense.
    /// </summary>
    public void Predict(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, Span<float> probabilities, (float[] A, float[] B) scratch)
    {
        if (indices.Length != values.Length)
            throw new ArgumentException($"A sparse row needs one value per index; got {indices.Length} indices and {values.Length} values.", nameof(values));
        CheckSparseIndices(indices);
        bool densify = !Layout.InputMajorFirstLayer && (long)indices.Length * SparseGatherRatio > Layout.InputSize;
        CheckDestinationAndScratch(probabilities, scratch, denseInputRow: densify);

        Span<float> first = FirstLayerOutput(probabilities, scratch);
        if (!densify)
        {
            _layers.FirstLayerRow(_parameters, indices, values, first);
        }
        else
        {
            // The first layer writes into A, so B can hold the dense row.
            Span<float> dense = scratch.B.AsSpan(0, Layout.InputSize);
            dense.Clear();
            for (int k = 0; k < indices.Length; k++)
                dense[indices[k]] = values[k];
            _layers.FirstLayerRow(_parameters, dense, first);
        }
        FinishScoring(first, probabilities, scratch);
    }

    /// <summary>Where layer 0 writes: the destination when it is also the output layer, otherwise scratch row A.</summary>
    private Span<float> FirstLayerOutput(Span<float> probabilities, (float[] A, float[] B) scratch)
        => Layout.LayerCount == 1 ? probabilities : scratch.A.AsSpan(0, Layout.OutputsOf(0));

    /// <summary>
    /// Layer 0's bias and activation on <paramref name="first"/> (its pre-activations), the deeper layers, which are
    /// unit-major whatever the first layer's layout, and the task's output transform.
    /// </summary>
    private void FinishScoring(Span<float> first, Span<float> probabilities, (float[] A, float[] B) scratch)
    {
        _layers.AddBiasAndActivateFirst(_parameters, first);
        _layers.ForwardRowAfterFirst(_parameters, first, probabilities, scratch.A, scratch.B);
        ApplyOutputTransform(probabilities);
    }

    /// <summary>Checks one sparse row's indices; <paramref name="row"/> names the row of a batch in the message.</summary>
    private void CheckSparseIndices(ReadOnlySpan<int> indices, int? row = null)
    {
        int previous = -1, inputs = Layout.InputSize;
        for (int k = 0; k < indices.Length; k++)
        {
            int index = indices[k];
            if (index <= previous || index >= inputs)
                throw new ArgumentException(
                    $"{(row is int r ? $"Row {r}: sparse" : "Sparse")} indices must be strictly increasing and within 0 to {inputs - 1}; " +
                    $"index {k} is {index}{(k > 0 ? $", after {previous}" : "")}.",
                    nameof(indices));
            previous = index;
        }
    }

    private void CheckDestinationAndScratch(Span<float> probabilities, (float[] A, float[] B) scratch, bool denseInputRow)
    {
        if (probabilities.Length != Layout.OutputSize)
            throw new ArgumentException($"The network has {Layout.OutputSize} outputs; the destination holds {probabilities.Length}.", nameof(probabilities));
        int needB = denseInputRow ? Math.Max(_unitWidth, Layout.InputSize) : _unitWidth;
        if (scratch.A is null || scratch.B is null || scratch.A.Length < _unitWidth || scratch.B.Length < needB)
            throw new ArgumentException(
                $"The scratch rows must hold at least {_unitWidth} and {needB} values; got {scratch.A?.Length ?? 0} and {scratch.B?.Length ?? 0}. Make them with CreateScratch.",
                nameof(scratch));
    }

    /// <summary>The task's transform of one row of raw outputs: softmax (multiclass), none (binary logit), z·scale + offset (regression).</summary>
    private void ApplyOutputTransform(Span<float> row)
    {
        if (Task == MlpTask.Multiclass)
            SoftmaxCrossEntropy.Softmax(row);
        else if (Task == MlpTask.Regression)
            row[0] = row[0] * OutputScale + OutputOffset;
    }

    /// <summary>
    /// Scores <paramref name="rows"/> rows at once with the blocked matrix kernels: <paramref name="features"/> is
    /// row-major, <c>rows × InputSize</c>; <paramref name="outputs"/> receives <c>rows × OutputSize</c> values, the same
    /// ones <see cref="Predict(ReadOnlySpan{float}, Span{float}, ValueTuple{float[], float[]})"/> gives row by row (up to
    /// the order of floating-point sums). An input-major first layer is multiplied as stored (Wᵀ, not transposed again).
    /// </summary>
    public void PredictBatch(ReadOnlySpan<float> features, Span<float> outputs, int rows, int threads)
    {
        int inputs = Layout.InputSize, width = Layout.OutputSize;
        if (rows < 0 || features.Length < (long)rows * inputs)
            throw new ArgumentException($"{rows} rows of {inputs} features need {(long)rows * inputs} values; got {features.Length}.", nameof(features));
        if (outputs.Length < (long)rows * width)
            throw new ArgumentException($"{rows} rows of {width} outputs need {(long)rows * width} values; got {outputs.Length}.", nameof(outputs));
        if (rows == 0)
            return;

        int block = Math.Min(rows, Math.Clamp(BatchBlockInputValues / inputs, 1, BatchBlockRows));
        float[][] levels = RentBatchLevels(block, withInput: true);
        GemmEngine gemm = RentEngine(threads);
        try
        {
            for (int start = 0; start < rows; start += block)
            {
                int count = Math.Min(block, rows - start);
                features.Slice(start * inputs, count * inputs).CopyTo(levels[0]);
                ScoreLayers(gemm, levels, count, fromLayer: 0, outputs.Slice(start * width, count * width));
            }
        }
        finally
        {
            ReturnEngine(gemm);
            ReturnBatchLevels(levels);
        }
    }

    /// <summary>
    /// Scores <c>rowStarts.Length − 1</c> sparse rows at once, in compressed sparse row form: row r's non-zero features
    /// are at <paramref name="indices"/>[rowStarts[r] .. rowStarts[r + 1]) (strictly increasing within the row, each 0 to
    /// <c>InputSize − 1</c>) with the matching <paramref name="values"/>. The first layer reads only the non-zeros (one
    /// row of Wᵀ each for an input-major layer, the non-zeros' columns for a unit-major one), so no input-wide row is
    /// ever made; the deeper layers run as in the dense <c>PredictBatch</c>. <paramref name="outputs"/> receives
    /// <c>rows × OutputSize</c> values, equal to the row-by-row scores up to the order of floating-point sums.
    /// </summary>
    public void PredictBatch(ReadOnlySpan<int> rowStarts, ReadOnlySpan<int> indices, ReadOnlySpan<float> values, Span<float> outputs, int threads)
    {
        int rows = CheckSparseRows(rowStarts, indices, values);
        int width = Layout.OutputSize, units = Layout.OutputsOf(0);
        if (outputs.Length < (long)rows * width)
            throw new ArgumentException($"{rows} rows of {width} outputs need {(long)rows * width} values; got {outputs.Length}.", nameof(outputs));
        if (rows == 0)
            return;

        int block = Math.Min(rows, BatchBlockRows);
        float[][] levels = RentBatchLevels(block, withInput: false);
        GemmEngine gemm = RentEngine(threads);
        try
        {
            for (int start = 0; start < rows; start += block)
            {
                int count = Math.Min(block, rows - start);
                for (int r = 0; r < count; r++)
                {
                    int from = rowStarts[start + r], to = rowStarts[start + r + 1];
                    _layers.FirstLayerRow(_parameters, indices[from..to], values[from..to], levels[1].AsSpan(r * units, units));
                }
                ScoreLayers(gemm, levels, count, fromLayer: 1, outputs.Slice(start * width, count * width));
            }
        }
        finally
        {
            ReturnEngine(gemm);
            ReturnBatchLevels(levels);
        }
    }

    private GemmEngine RentEngine(int threads)
    {
        if (threads > 1)
            return GemmEnginePool.Rent(threads);
        return Interlocked.Exchange(ref _idleEngine, null) ?? new GemmEngine(1);
    }

    private void ReturnEngine(GemmEngine engine)
    {
        if (engine.Threads > 1)
            GemmEnginePool.Return(engine);
        else if (Interlocked.CompareExchange(ref _idleEngine, engine, null) is not null)
            engine.Dispose();
    }

    /// <summary>
    /// The per-level buffers of a block of <paramref name="block"/> rows, the input level only when rows come dense: rented
    /// from the shared array pool (at least as long as asked; their old contents are never read, every level being written
    /// before it is read), so scoring batch after batch does not allocate and zero half a megabyte a call. Give them back
    /// with <see cref="ReturnBatchLevels"/>.
    /// </summary>
    private float[][] RentBatchLevels(int block, bool withInput)
    {
        var levels = new float[Layout.Sizes.Count][];
        for (int level = 0; level < levels.Length; level++)
            levels[level] = level == 0 && !withInput ? Array.Empty<float>() : System.Buffers.ArrayPool<float>.Shared.Rent(block * Layout.Sizes[level]);
        return levels;
    }

    private static void ReturnBatchLevels(float[][] levels)
    {
        foreach (float[] level in levels)
        {
            if (level.Length > 0)
                System.Buffers.ArrayPool<float>.Shared.Return(level);
        }
    }

    /// <summary>
    /// Layers <paramref name="fromLayer"/> (0 or 1) onwards for <paramref name="count"/> rows of <paramref name="levels"/>
    /// through the forward pass training uses, then the output transform into <paramref name="destination"/>. From layer
    /// 1, level 1 already holds layer 0's pre-activations.
    /// </summary>
    private void ScoreLayers(GemmEngine gemm, float[][] levels, int count, int fromLayer, Span<float> destination)
    {
        int last = Layout.LayerCount - 1, width = Layout.OutputSize;
        _layers.Forward(gemm, _parameters, levels, sparseInput: null, count, fromLayer);
        levels[last + 1].AsSpan(0, count * width).CopyTo(destination);
        for (int r = 0; r < count; r++)
            ApplyOutputTransform(destination.Slice(r * width, width));
    }

    /// <summary>Checks compressed sparse rows against this network's inputs; returns the number of rows.</summary>
    private int CheckSparseRows(ReadOnlySpan<int> rowStarts, ReadOnlySpan<int> indices, ReadOnlySpan<float> values)
    {
        if (rowStarts.IsEmpty)
            throw new ArgumentException("The row starts need one entry per row plus the end (a single 0 for no rows).", nameof(rowStarts));
        if (indices.Length != values.Length)
            throw new ArgumentException($"Sparse rows need one value per index; got {indices.Length} indices and {values.Length} values.", nameof(values));
        if (rowStarts[0] != 0 || rowStarts[^1] != indices.Length)
            throw new ArgumentException($"The row starts must begin at 0 and end at the number of non-zeros ({indices.Length}); they run from {rowStarts[0]} to {rowStarts[^1]}.", nameof(rowStarts));
        for (int r = 0; r + 1 < rowStarts.Length; r++)
        {
            int from = rowStarts[r], to = rowStarts[r + 1];
            if (to < from)
                throw new ArgumentException($"The row starts must not decrease; row {r} starts at {from} and ends at {to}.", nameof(rowStarts));
            if (to > indices.Length)
                throw new ArgumentException($"Row {r} ends at {to}, past the {indices.Length} non-zeros.", nameof(rowStarts));
            CheckSparseIndices(indices[from..to], row: r);
        }
        return rowStarts.Length - 1;
    }

    /// <summary>The transpose of a row-major <paramref name="rows"/> × <paramref name="columns"/> matrix, copied tile by tile.</summary>
    private static float[] Transposed(ReadOnlySpan<float> matrix, int rows, int columns)
    {
        const int Tile = 32;
        var result = new float[matrix.Length];
        for (int r0 = 0; r0 < rows; r0 += Tile)
        {
            int r1 = Math.Min(r0 + Tile, rows);
            for (int c0 = 0; c0 < columns; c0 += Tile)
            {
                int c1 = Math.Min(c0 + Tile, columns);
                for (int r = r0; r < r1; r++)
                {
                    for (int c = c0; c < c1; c++)
                        result[c * rows + r] = matrix[r * columns + c];
                }
            }
        }
        return result;
    }
}
