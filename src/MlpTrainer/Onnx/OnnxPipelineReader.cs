using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlpTrainer.Model;
using MlpTrainer.Onnx.Proto;

namespace MlpTrainer.Onnx;

/// <summary>
/// Reads a fitted MLP transformer, or a pipeline (<see cref="TransformerChain{TLastTransformer}"/>, nested chains
/// flattened) around one, into an <see cref="OnnxExportPlan"/>. What the exporter understands:
/// <list type="bullet">
/// <item>exactly one MLP prediction transformer (multiclass, binary or regression);</item>
/// <item>before it, on the columns that make the MLP's feature vector (see <see cref="OnnxFeatureResolver"/>):
/// <c>Concatenate</c> of Single columns (scalars or vectors; one graph input per data column), <c>CopyColumns</c>,
/// and affine <see cref="NormalizingTransformer"/>s (min-max, mean-variance, robust scaling), folded into the first
/// layer;</item>
/// <item>before it, <see cref="ValueToKeyMappingTransformer"/>s on other columns (the label), and those known
/// transformers on columns the features do not come from: not needed to score, so left out;</item>
/// <item>after it (multiclass), <see cref="KeyToValueMappingTransformer"/>s on the predicted-label column: an output
/// with the label's original values;</item>
/// <item>after it, <c>CopyColumns</c> of its outputs: one more output each (<c>Identity</c>).</item>
/// </list>
/// Anything else throws <see cref="NotSupportedException"/> naming the transformer's type and its place in the pipeline,
/// and the line of code that exports the MLP alone.
/// </summary>
internal static class OnnxPipelineReader
{
    public static OnnxExportPlan Read(ITransformer model, DataViewSchema inputSchema)
    {
        List<ITransformer> steps = new();
        Flatten(model, steps);
        int trainerIndex = FindTrainer(steps);
        ITransformer trainer = steps[trainerIndex];
        (MlpNetwork network, string featureColumn) = trainer switch
        {
            MulticlassPredictionTransformer<MlpModelParameters> m => (m.Model.Network, m.FeatureColumnName),
            BinaryPredictionTransformer<MlpBinaryModelParameters> b => (b.Model.Network, b.FeatureColumnName),
            RegressionPredictionTransformer<MlpRegressionModelParameters> r => (r.Model.Network, r.FeatureColumnName),
            _ => throw new InvalidOperationException("Unreachable: FindTrainer returned a non-MLP transformer."),
        };
        var summary = new string[steps.Count];
        summary[trainerIndex] = $"{TypeName(trainer)} ({featureColumn}): the {network.Layout} {network.HiddenActivation} network";
        string workaround = ExportAloneHint(trainer, featureColumn);

        // Before the trainer: resolve the MLP's feature column back to the data's columns, through Concatenate,
        // CopyColumns and affine normalizers (composed into one per-slot affine map, folded into the first layer).
        var resolver = new OnnxFeatureResolver(steps, inputSchema, summary, workaround);
        FeatureSlots slots = resolver.Resolve(featureColumn, trainerIndex);
        int featureCount = network.Layout.InputSize;
        if (slots.Width != featureCount)
            throw new ArgumentException($"The pipeline makes '{featureColumn}' from {slots.Width} values ({string.Join(", ", slots.Inputs.Select(i => $"'{i.Name}' {i.Width}"))}), but the MLP reads {featureCount} features. Pass the schema of the data the model was trained on.", nameof(inputSchema));
        for (int i = 0; i < trainerIndex; i++)
        {
            if (summary[i] is not null)
                continue;
            if (steps[i] is ValueToKeyMappingTransformer keys)
                summary[i] = $"{TypeName(keys)} ({string.Join(", ", MlNetPipelineInspection.ColumnPairs(keys).Select(p => p.Output))}): the label's key mapping, not needed to score";
            else
                summary[i] = $"{TypeName(steps[i])}: not on the way to the features, not needed to score";
        }
        (double[]? inputScale, double[]? inputShift) = resolver.Normalized ? (slots.Scale, slots.Shift) : (null, null);

        // The trainer's output columns, from a schema holding just its feature vector (the outputs' names and the
        // label's key values come from the trainer, not from the columns before it).
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(featureColumn, new VectorDataViewType(NumberDataViewType.Single, featureCount));
        DataViewSchema schema = builder.ToSchema();
        int columnsBefore = schema.Count;
        schema = trainer.GetOutputSchema(schema);
        DataViewSchema trainerOutput = schema;
        var outputs = new List<OnnxOutput>();
        string? predictedLabel = null, probability = null, score = null;
        for (int c = columnsBefore; c < schema.Count; c++)
        {
            switch (ScoreValueKind(schema[c]))
            {
                case "Score": score = schema[c].Name; break;
                case "Probability": probability = schema[c].Name; break;
                case "PredictedLabel": predictedLabel = schema[c].Name; break;
            }
        }
        outputs.Add(new OnnxOutput(score ?? "Score", OnnxOutputKind.Score));
        if (network.Task == MlpTask.Binary)
            outputs.Add(new OnnxOutput(probability ?? "Probability", OnnxOutputKind.Probability));
        if (network.Task != MlpTask.Regression)
            outputs.Add(new OnnxOutput(predictedLabel ?? "PredictedLabel", OnnxOutputKind.PredictedLabel));

        // After the trainer: MapKeyToValue of the predicted key, CopyColumns of the outputs.
        OnnxKeyValues? keyValues = null;
        for (int i = trainerIndex + 1; i < steps.Count; i++)
        {
            if (steps[i] is ColumnCopyingTransformer copy)
            {
                IReadOnlyList<(string Output, string Input)> copies = MlNetPipelineInspection.ColumnPairs(copy);
                foreach ((string output, string input) in copies)
                {
                    if (!outputs.Any(o => o.Name == input))
                        throw Unsupported(steps, i, $"it copies '{input}', which is not one of the exported outputs ({string.Join(", ", outputs.Select(o => o.Name))}). {workaround}");
                    if (outputs.Any(o => o.Name == output))
                        throw Unsupported(steps, i, $"its copy '{output}' replaces an output of the same name; copy to a new name");
                    outputs.Add(new OnnxOutput(output, OnnxOutputKind.Copy, input));
                }
                summary[i] = $"{TypeName(copy)} ({string.Join(", ", copies.Select(p => $"{p.Output} ← {p.Input}"))}): Identity";
                continue;
            }
            if (steps[i] is not KeyToValueMappingTransformer toValue || network.Task != MlpTask.Multiclass)
                throw Unsupported(steps, i, (network.Task == MlpTask.Multiclass
                    ? "after a multiclass MLP only MapKeyToValue of the PredictedLabel column and CopyColumns are supported"
                    : $"after a {network.Task.ToString().ToLowerInvariant()} MLP only CopyColumns is supported") + ". " + workaround);
            IReadOnlyList<(string Output, string Input)> pairs = MlNetPipelineInspection.ColumnPairs(toValue);
            foreach ((string output, string input) in pairs)
            {
                if (!outputs.Any(o => o.Name == input && o.Kind == OnnxOutputKind.PredictedLabel))
                    throw Unsupported(steps, i, $"it maps column '{input}'; only the MLP's predicted key ('{predictedLabel ?? "PredictedLabel"}') can be mapped back to the label's values");
                if (outputs.Any(o => o.Kind == OnnxOutputKind.Copy && o.Source == output))
                    throw Unsupported(steps, i, $"it replaces '{output}', which an earlier CopyColumns copied; map the key to a new column name");
            }
            keyValues ??= ReadKeyValues(trainerOutput[predictedLabel ?? "PredictedLabel"], network.Layout.OutputSize);
            foreach ((string output, string input) in pairs)
            {
                int existing = outputs.FindIndex(o => o.Name == output);
                var entry = new OnnxOutput(output, OnnxOutputKind.LabelValue);
                if (existing >= 0)
                    outputs[existing] = entry; // the new column hides the old one, as in ML.NET
                else
                    outputs.Add(entry);
            }
            summary[i] = $"{TypeName(toValue)} ({string.Join(", ", pairs.Select(p => $"{p.Output} ← {p.Input}"))}): Gather on the {keyValues.Values.Length} label values ({keyValues.TypeName})";
        }

        bool onProbability = false;
        float threshold = 0f;
        if (trainer is BinaryPredictionTransformer<MlpBinaryModelParameters> binary)
        {
            (threshold, string thresholdColumn) = MlNetPipelineInspection.BinaryThreshold(binary);
            if (thresholdColumn == (probability ?? "Probability"))
                onProbability = true;
            else if (thresholdColumn != (score ?? "Score"))
                throw new NotSupportedException($"The binary MLP's threshold is on column '{thresholdColumn}'; the ONNX export supports a threshold on the Score or the Probability.");
        }

        return new OnnxExportPlan
        {
            Network = network,
            Inputs = slots.Inputs,
            InputScale = inputScale,
            InputShift = inputShift,
            Threshold = threshold,
            ThresholdOnProbability = onProbability,
            Outputs = outputs,
            KeyValues = keyValues,
            PipelineSummary = summary,
        };
    }

    /// <summary>The transformers in application order, with nested chains opened.</summary>
    private static void Flatten(ITransformer model, List<ITransformer> steps)
    {
        if (model.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(TransformerChain<>))
        {
            foreach (ITransformer inner in (IEnumerable<ITransformer>)model)
                Flatten(inner, steps);
        }
        else
        {
            steps.Add(model);
        }
    }

    private static bool IsMlp(ITransformer t) => t is MulticlassPredictionTransformer<MlpModelParameters>
        or BinaryPredictionTransformer<MlpBinaryModelParameters> or RegressionPredictionTransformer<MlpRegressionModelParameters>;

    private static int FindTrainer(List<ITransformer> steps)
    {
        int[] found = Enumerable.Range(0, steps.Count).Where(i => IsMlp(steps[i])).ToArray();
        if (found.Length == 1)
            return found[0];
        if (found.Length > 1)
            throw Unsupported(steps, found[1], "the pipeline holds more than one MLP; export each model on its own");
        int other = steps.FindIndex(t => t is IPredictionTransformer<object>);
        if (other >= 0)
            throw Unsupported(steps, other, "ExportMlpToOnnx exports MlpTrainer's models only (MulticlassPredictionTransformer<MlpModelParameters>, BinaryPredictionTransformer<MlpBinaryModelParameters>, RegressionPredictionTransformer<MlpRegressionModelParameters>)");
        throw new ArgumentException(
            $"The model holds no MlpTrainer prediction transformer (its steps: {(steps.Count == 0 ? "none" : string.Join(", ", steps.Select(TypeName)))}).", "model");
    }

    private static string? ScoreValueKind(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull("ScoreValueKind") is not { Type: TextDataViewType })
            return null;
        ReadOnlyMemory<char> kind = default;
        column.Annotations.GetValue("ScoreValueKind", ref kind);
        return kind.ToString();
    }

    /// <summary>The key values of the predicted-label column, as an array of the ONNX element type's CLR type.</summary>
    private static OnnxKeyValues ReadKeyValues(DataViewSchema.Column column, int classes)
    {
        if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is not { Type: VectorDataViewType { ItemType: var itemType } })
            throw new NotSupportedException($"The predicted-label column '{column.Name}' carries no key values, so MapKeyToValue cannot be exported; make the label with MapValueToKey.");
        OnnxKeyValues values = itemType switch
        {
            TextDataViewType => new(TensorProto.Types.DataType.String, Read<ReadOnlyMemory<char>>(column).Select(v => v.ToString()).ToArray(), "String"),
            BooleanDataViewType => new(TensorProto.Types.DataType.Bool, Read<bool>(column), "Boolean"),
            NumberDataViewType n when n.RawType == typeof(float) => new(TensorProto.Types.DataType.Float, Read<float>(column), "Single"),
            NumberDataViewType n when n.RawType == typeof(double) => new(TensorProto.Types.DataType.Double, Read<double>(column), "Double"),
            NumberDataViewType n when n.RawType == typeof(sbyte) => new(TensorProto.Types.DataType.Int8, Read<sbyte>(column), "SByte"),
            NumberDataViewType n when n.RawType == typeof(byte) => new(TensorProto.Types.DataType.Uint8, Read<byte>(column), "Byte"),
            NumberDataViewType n when n.RawType == typeof(short) => new(TensorProto.Types.DataType.Int16, Read<short>(column), "Int16"),
            NumberDataViewType n when n.RawType == typeof(ushort) => new(TensorProto.Types.DataType.Uint16, Read<ushort>(column), "UInt16"),
            NumberDataViewType n when n.RawType == typeof(int) => new(TensorProto.Types.DataType.Int32, Read<int>(column), "Int32"),
            NumberDataViewType n when n.RawType == typeof(uint) => new(TensorProto.Types.DataType.Uint32, Read<uint>(column), "UInt32"),
            NumberDataViewType n when n.RawType == typeof(long) => new(TensorProto.Types.DataType.Int64, Read<long>(column), "Int64"),
            NumberDataViewType n when n.RawType == typeof(ulong) => new(TensorProto.Types.DataType.Uint64, Read<ulong>(column), "UInt64"),
            _ => throw new NotSupportedException($"The label's values are of type {itemType}; the ONNX export maps keys back to text, Boolean and numeric values only."),
        };
        if (values.Values.Length != classes)
            throw new NotSupportedException($"The label has {values.Values.Length} key values but the MLP has {classes} classes.");
        return values;
    }

    private static T[] Read<T>(DataViewSchema.Column column)
    {
        VBuffer<T> buffer = default;
        column.GetKeyValues(ref buffer);
        return buffer.DenseValues().ToArray();
    }

    internal static NotSupportedException Unsupported(IReadOnlyList<ITransformer> steps, int index, string why)
        => new($"Cannot export {TypeName(steps[index])} (step {index + 1} of {steps.Count} in the pipeline) to ONNX: {why.TrimEnd('.')}.");

    /// <summary>
    /// The one line that exports the MLP alone, for a pipeline the export cannot express: the MLP's transformer taken
    /// out of the fitted chain, and the schema of the transformed data (which holds the MLP's feature vector).
    /// </summary>
    private static string ExportAloneHint(ITransformer trainer, string featureColumn)
        => $"To export the MLP alone and compute its '{featureColumn}' vector yourself before scoring: " +
           $"ml.Model.ExportMlpToOnnx(((IEnumerable<ITransformer>)model).OfType<{TypeName(trainer)}>().Single(), model.Transform(data).Schema, \"mlp.onnx\")";

    internal static string TypeName(ITransformer transformer) => TypeName(transformer.GetType());

    /// <summary>A type's name with its generic arguments, e.g. <c>BinaryPredictionTransformer&lt;LinearBinaryModelParameters&gt;</c>.</summary>
    internal static string TypeName(Type type)
    {
        if (!type.IsGenericType)
            return type.Name;
        string name = type.Name[..type.Name.IndexOf('`')];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>";
    }
}
