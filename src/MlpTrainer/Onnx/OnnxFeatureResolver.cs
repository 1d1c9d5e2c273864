using System.Collections.Immutable;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using static MlpTrainer.Onnx.OnnxPipelineReader;

namespace MlpTrainer.Onnx;

/// <summary>
/// One graph input: a column of the data the pipeline is applied to, Single scalar (<see cref="Width"/> 1, fed as
/// [N, 1]) or known-size Single vector ([N, Width]).
/// </summary>
internal sealed record OnnxInput(string Name, int Width);

/// <summary>
/// A column as a run of slots taken from the data's columns (<see cref="Inputs"/>, joined in order), with the
/// per-slot affine map <c>x·Scale + Shift</c> the transforms so far apply to them (kept in double so composing adds
/// no rounding of its own).
/// </summary>
internal sealed record FeatureSlots(IReadOnlyList<OnnxInput> Inputs, double[] Scale, double[] Shift)
{
    public int Width => Scale.Length;
}

/// <summary>
/// Follows the MLP's feature column back through the transformers before it to the columns of the input data: a
/// column written by <c>Concatenate</c> is the join of its sources, by <c>CopyColumns</c> its source, by an affine
/// normalizer its source with <c>y = (x − offset)·scale</c> composed in. Each name is looked up in the last step
/// before the current one that writes it, as ML.NET resolves it. A transformer of any other kind before the MLP stops
/// the export (its columns cannot be told without running it), with the line that exports the MLP alone.
/// </summary>
internal sealed class OnnxFeatureResolver
{
    private readonly IReadOnlyList<ITransformer> _steps;
    private readonly DataViewSchema _inputSchema;
    private readonly string?[] _summary;
    private readonly string _workaround;

    public OnnxFeatureResolver(IReadOnlyList<ITransformer> steps, DataViewSchema inputSchema, string?[] summary, string workaround)
    {
        _steps = steps;
        _inputSchema = inputSchema;
        _summary = summary;
        _workaround = workaround;
    }

    /// <summary>Whether a normalizer is on the way to the features (so there is an affine map to fold).</summary>
    public bool Normalized { get; private set; }

    /// <summary>Column <paramref name="name"/> as the step at index <paramref name="before"/> sees it.</summary>
    public FeatureSlots Resolve(string name, int before)
    {
        for (int i = before - 1; i >= 0; i--)
        {
            switch (_steps[i])
            {
                case NormalizingTransformer normalizer:
                {
                    IReadOnlyList<(string Output, string Input)> pairs = MlNetPipelineInspection.ColumnPairs(normalizer);
                    int c = IndexOf(pairs, name);
                    if (c < 0)
                        continue;
                    FeatureSlots source = Resolve(pairs[c].Input, i);
                    FeatureSlots result = Normalize(source, normalizer.GetNormalizerModelParameters(c), i, pairs[c].Output);
                    Normalized = true;
                    Describe(i, $"{TypeName(normalizer)} ({pairs[c].Output} ← {pairs[c].Input}): affine, folded into the first layer");
                    return result;
                }
                case ColumnConcatenatingTransformer concatenate:
                {
                    IReadOnlyList<string>? sources = MlNetPipelineInspection.ConcatenatedColumns(concatenate)
                        .Where(col => col.Output == name).Select(col => col.Inputs).LastOrDefault();
                    if (sources is null)
                        continue;
                    FeatureSlots[] parts = sources.Select(source => Resolve(source, i)).ToArray();
                    Describe(i, $"{TypeName(concatenate)} ({name} ← {string.Join(", ", sources)}): Concat");
                    return new FeatureSlots(parts.SelectMany(p => p.Inputs).ToArray(),
                        parts.SelectMany(p => p.Scale).ToArray(), parts.SelectMany(p => p.Shift).ToArray());
                }
                case ColumnCopyingTransformer copy:
                {
                    IReadOnlyList<(string Output, string Input)> pairs = MlNetPipelineInspection.ColumnPairs(copy);
                    int c = IndexOf(pairs, name);
                    if (c < 0)
                        continue;
                    Describe(i, $"{TypeName(copy)} ({pairs[c].Output} ← {pairs[c].Input}): the same values");
                    return Resolve(pairs[c].Input, i);
                }
                case ValueToKeyMappingTransformer keys:
                    if (IndexOf(MlNetPipelineInspection.ColumnPairs(keys), name) >= 0)
                        throw Unsupported(_steps, i, $"it maps '{name}', which the MLP's features are made from, to keys; MapValueToKey is supported on the label only. {_workaround}");
                    continue;
                default:
                    throw Unsupported(_steps, i, "before the MLP the ONNX export handles Concatenate, CopyColumns and the affine normalizers " +
                                                 $"(NormalizeMinMax, NormalizeMeanVariance, NormalizeRobustScaling) of the features, and MapValueToKey of the label. {_workaround}");
            }
        }
        return FromData(name);
    }

    private FeatureSlots FromData(string name)
    {
        DataViewSchema.Column column = _inputSchema.GetColumnOrNull(name)
            ?? throw new ArgumentException($"The input schema has no column '{name}', which the model's features are made from. Pass the schema of the data the model was trained on. Its columns: {string.Join(", ", _inputSchema.Select(c => c.Name))}.", "inputSchema");
        int width = column.Type switch
        {
            NumberDataViewType n when n == NumberDataViewType.Single => 1,
            VectorDataViewType { ItemType: NumberDataViewType item, Size: > 0 and int size } when item == NumberDataViewType.Single => size,
            _ => throw new ArgumentException($"The input column '{name}' is {column.Type}; the ONNX export takes Single columns (scalars or vectors of known size) as inputs.", "inputSchema"),
        };
        var scale = new double[width];
        Array.Fill(scale, 1.0);
        return new FeatureSlots(new[] { new OnnxInput(name, width) }, scale, new double[width]);
    }

    /// <summary>Composes ML.NET's affine normalizer y = (x − offset)·scale after the map the source already has.</summary>
    private FeatureSlots Normalize(FeatureSlots source, NormalizingTransformer.NormalizerModelParametersBase parameters, int step, string column)
    {
        (ImmutableArray<float> scale, ImmutableArray<float> offset) = parameters switch
        {
            NormalizingTransformer.AffineNormalizerModelParameters<ImmutableArray<float>> vector => (vector.Scale, vector.Offset),
            NormalizingTransformer.AffineNormalizerModelParameters<float> scalar => (ImmutableArray.Create(scalar.Scale), ImmutableArray.Create(scalar.Offset)),
            _ => throw Unsupported(_steps, step, $"its normalizer for '{column}' is {TypeName(parameters.GetType())}; only affine normalizers (NormalizeMinMax, NormalizeMeanVariance, NormalizeRobustScaling) of the features fold into the first layer. {_workaround}"),
        };
        int width = source.Width;
        if (scale.IsDefault || (scale.Length != width && scale.Length != 1))
            throw Unsupported(_steps, step, $"its scale has {(scale.IsDefault ? 0 : scale.Length)} values for {width} slots");
        bool hasOffset = !offset.IsDefaultOrEmpty;
        if (hasOffset && offset.Length != scale.Length)
            throw Unsupported(_steps, step, $"its offset has {offset.Length} values for {scale.Length} scales");
        var a = new double[width];
        var b = new double[width];
        for (int j = 0; j < width; j++)
        {
            int k = scale.Length == 1 ? 0 : j;
            double s = scale[k], o = hasOffset ? offset[k] : 0.0;
            a[j] = source.Scale[j] * s;
            b[j] = (source.Shift[j] - o) * s;
        }
        return source with { Scale = a, Shift = b };
    }

    private void Describe(int step, string text)
    {
        if (_summary[step] is null)
            _summary[step] = text;
        else if (!_summary[step]!.Contains(text, StringComparison.Ordinal))
            _summary[step] += "; " + text;
    }

    private static int IndexOf(IReadOnlyList<(string Output, string Input)> pairs, string name)
    {
        for (int c = pairs.Count - 1; c >= 0; c--)
        {
            if (pairs[c].Output == name)
                return c;
        }
        return -1;
    }
}
