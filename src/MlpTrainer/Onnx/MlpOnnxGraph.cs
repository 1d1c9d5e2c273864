using System.Globalization;
using System.Reflection;
using System.Text;
using MlpTrainer.Model;
using MlpTrainer.Onnx.Proto;
using static MlpTrainer.Onnx.OnnxGraphBuilder;

namespace MlpTrainer.Onnx;

/// <summary>
/// Turns an <see cref="OnnxExportPlan"/> into an ONNX <see cref="ModelProto"/> (IR version 8, opset 17 of the
/// default ai.onnx domain); the graph is described on <see cref="MlpOnnxExport"/>.
/// </summary>
internal static class MlpOnnxGraph
{
    /// <summary>The ai.onnx operator set the graph uses.</summary>
    public const int Opset = 17;

    /// <summary>ONNX IR version 8, the one that goes with opset 17.</summary>
    public const int IrVersion = 8;

    /// <summary>
    /// The most parameter bytes a graph may hold: an ONNX model is one protobuf message, which cannot pass 2 GiB, and
    /// the graph around the weights needs a little room too. (ONNX's external-data files are not written.)
    /// </summary>
    public const long MaxParameterBytes = 2_000_000_000;

    /// <summary>Throws unless a network of this layout fits one ONNX file; the message gives the size and what to shrink.</summary>
    /// <exception cref="NotSupportedException">The weights alone would pass the protobuf size limit.</exception>
    public static void EnsureExportable(NetworkLayout layout)
    {
        long bytes = 4L * layout.ParameterCount;
        if (bytes <= MaxParameterBytes)
            return;
        throw new NotSupportedException(string.Create(CultureInfo.InvariantCulture,
            $"Cannot export the {layout} network to ONNX: its {layout.ParameterCount:N0} parameters take {bytes:N0} bytes, and an ONNX " +
            $"model is one protobuf message of at most 2 GiB (ONNX's external-data format is not supported). Train a smaller network: " +
            $"fewer feature slots (for hashed features, fewer hash bits) or fewer hidden units in the first hidden layer."));
    }

    public static ModelProto Build(OnnxExportPlan plan)
    {
        MlpNetwork network = plan.Network;
        NetworkLayout layout = network.Layout;
        EnsureExportable(layout);
        var g = new OnnxGraphBuilder("MlpTrainer");
        // One float input per data column ([N, 1] for a scalar), joined along the slots when the features are a Concatenate.
        foreach (OnnxInput input in plan.Inputs.DistinctBy(i => i.Name))
            g.AddInput(input.Name, TensorProto.Types.DataType.Float, null, input.Width);
        string x = plan.Inputs.Count == 1 ? plan.Inputs[0].Name
            : g.AddNode("Concat", plan.Inputs.Select(i => i.Name).ToArray(), "mlp.features", IntAttribute("axis", 1));

        string scoreName = NameOf(plan, OnnxOutputKind.Score) ?? "mlp.score";
        string? probabilityName = NameOf(plan, OnnxOutputKind.Probability);
        string? labelName = NameOf(plan, OnnxOutputKind.PredictedLabel);
        bool regressionScaled = network.Task == MlpTask.Regression && (network.OutputScale != 1f || network.OutputOffset != 0f);
        // The output layer writes the Score itself unless a Softmax or the label scaling comes after it.
        string outputLayer = network.Task == MlpTask.Multiclass || regressionScaled ? "mlp.logits" : scoreName;
        // Dense layers: Gemm(h, W, b), then the hidden activation. W is exported as the network stores it: row-major
        // [outputs, inputs] (one row per unit) with transB = 1, or, for the input-major first layer of a network trained
        // on sparse features, [inputs, outputs] (one row per input) with transB = 0, so no layer is transposed on the way.
        // The first layer absorbs the normalizers: W'[o,i] = W[o,i]·a[i], b'[o] = b[o] + Σ W[o,i]·c[i].
        string h = x;
        for (int l = 0; l < layout.LayerCount; l++)
        {
            bool inputMajor = network.IsInputMajor(l);
            long[] shape = inputMajor ? new long[] { layout.InputsOf(l), layout.OutputsOf(l) } : new long[] { layout.OutputsOf(l), layout.InputsOf(l) };
            string w, b;
            if (l == 0 && plan.InputScale is not null)
            {
                (float[] weights, float[] biases) = FoldedFirstLayer(plan);
                w = g.AddConstant($"mlp.layer{l}.weight", shape, weights);
                b = g.AddConstant($"mlp.layer{l}.bias", new long[] { layout.OutputsOf(l) }, biases);
            }
            else
            {
                w = g.AddConstant($"mlp.layer{l}.weight", shape, network.StoredWeights(l).Span);
                b = g.AddConstant($"mlp.layer{l}.bias", new long[] { layout.OutputsOf(l) }, network.Biases(l).Span);
            }
            bool last = l == layout.LayerCount - 1;
            string z = g.AddNode("Gemm", new[] { h, w, b }, last ? outputLayer : $"mlp.layer{l}.z", IntAttribute("transB", inputMajor ? 0 : 1));
            h = last ? z : Activate(g, network, z, $"mlp.layer{l}.a");
        }

        var outputTypes = new Dictionary<string, (TensorProto.Types.DataType Type, long?[] Dims)>();
        switch (network.Task)
        {
            case MlpTask.Multiclass:
            {
                int classes = layout.OutputSize;
                string score = g.AddNode("Softmax", new[] { h }, scoreName, IntAttribute("axis", 1));
                outputTypes[scoreName] = (TensorProto.Types.DataType.Float, new long?[] { null, classes });
                // ML.NET's PredictedLabel is the 1-based key of the most probable class (the first on a tie).
                string index = g.AddNode("ArgMax", new[] { score }, "mlp.class_index",
                    IntAttribute("axis", 1), IntAttribute("keepdims", 1), IntAttribute("select_last_index", 0));
                if (labelName is not null)
                {
                    string one = g.AddConstant("mlp.one", Array.Empty<long>(), new long[] { 1 });
                    string key = g.AddNode("Add", new[] { index, one }, "mlp.key_int64");
                    g.AddNode("Cast", new[] { key }, labelName, IntAttribute("to", (long)TensorProto.Types.DataType.Uint32));
                    outputTypes[labelName] = (TensorProto.Types.DataType.Uint32, new long?[] { null, 1 });
                }
                if (plan.Outputs.Any(o => o.Kind == OnnxOutputKind.LabelValue))
                {
                    OnnxKeyValues values = plan.KeyValues ?? throw new InvalidOperationException("The plan has a label-value output but no key values.");
                    string table = g.AddInitializer(KeyValueTensor(values));
                    foreach (OnnxOutput output in plan.Outputs.Where(o => o.Kind == OnnxOutputKind.LabelValue))
                    {
                        g.AddNode("Gather", new[] { table, index }, output.Name, IntAttribute("axis", 0));
                        outputTypes[output.Name] = (values.ElementType, new long?[] { null, 1 });
                    }
                }
                break;
            }
            case MlpTask.Binary:
            {
                string score = h;
                outputTypes[scoreName] = (TensorProto.Types.DataType.Float, new long?[] { null, 1 });
                string probability = g.AddNode("Sigmoid", new[] { score }, probabilityName ?? "mlp.probability");
                if (probabilityName is not null)
                    outputTypes[probabilityName] = (TensorProto.Types.DataType.Float, new long?[] { null, 1 });
                if (labelName is not null)
                {
                    string threshold = g.AddConstant("mlp.threshold", Array.Empty<long>(), new[] { plan.Threshold });
                    g.AddNode("Greater", new[] { plan.ThresholdOnProbability ? probability : score, threshold }, labelName);
                    outputTypes[labelName] = (TensorProto.Types.DataType.Bool, new long?[] { null, 1 });
                }
                break;
            }
            case MlpTask.Regression:
            {
                // Score = z·scale + offset undoes the label standardisation of MlpOptions.NormalizeLabel.
                if (regressionScaled)
                {
                    string scale = g.AddConstant("mlp.label_scale", Array.Empty<long>(), new[] { network.OutputScale });
                    string offset = g.AddConstant("mlp.label_offset", Array.Empty<long>(), new[] { network.OutputOffset });
                    string scaled = g.AddNode("Mul", new[] { h, scale }, "mlp.scaled");
                    g.AddNode("Add", new[] { scaled, offset }, scoreName);
                }
                outputTypes[scoreName] = (TensorProto.Types.DataType.Float, new long?[] { null, 1 });
                break;
            }
            default:
                throw new InvalidOperationException($"Unknown task {network.Task}.");
        }

        // CopyColumns after the trainer: the same tensor under another name, in pipeline order (a copy may copy a copy).
        foreach (OnnxOutput copy in plan.Outputs.Where(o => o.Kind == OnnxOutputKind.Copy))
        {
            string source = copy.Source ?? throw new InvalidOperationException($"The copy '{copy.Name}' has no source.");
            g.AddNode("Identity", new[] { source }, copy.Name);
            outputTypes[copy.Name] = outputTypes[source];
        }

        foreach (OnnxOutput output in plan.Outputs)
        {
            (TensorProto.Types.DataType type, long?[] dims) = outputTypes[output.Name];
            g.AddOutput(output.Name, type, dims);
        }
        g.Graph.DocString = DescribeGraph(plan);

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "MlpTrainer",
            ProducerVersion = typeof(MlpOnnxGraph).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? typeof(MlpOnnxGraph).Assembly.GetName().Version?.ToString() ?? "",
            Domain = "ai.mlptrainer",
            ModelVersion = 1,
            DocString = $"A {network.Task.ToString().ToLowerInvariant()} multilayer perceptron trained with MlpTrainer for ML.NET.",
            Graph = g.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "mlp.task", Value = network.Task.ToString() });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "mlp.layers", Value = layout.ToString() });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "mlp.activation", Value = network.HiddenActivation.ToString() });
        return model;
    }

    private static string? NameOf(OnnxExportPlan plan, OnnxOutputKind kind) => plan.Outputs.FirstOrDefault(o => o.Kind == kind)?.Name;

    /// <summary>The hidden activation as one node; Identity layers get none.</summary>
    private static string Activate(OnnxGraphBuilder g, MlpNetwork network, string z, string name) => network.HiddenActivation switch
    {
        MlpActivation.Identity => z,
        MlpActivation.ReLU => g.AddNode("Relu", new[] { z }, name),
        MlpActivation.Sigmoid => g.AddNode("Sigmoid", new[] { z }, name),
        MlpActivation.Tanh => g.AddNode("Tanh", new[] { z }, name),
        MlpActivation.LeakyReLU => g.AddNode("LeakyRelu", new[] { z }, name, FloatAttribute("alpha", network.LeakySlope)),
        _ => throw new NotSupportedException($"The activation {network.HiddenActivation} has no ONNX export."),
    };

    /// <summary>
    /// The first layer's weights and biases with the pipeline's affine feature map x·a + c folded in (in double), in the
    /// layout the network stores them: W'[o,i] = W[o,i]·a[i] and b'[o] = b[o] + Σ_i W[o,i]·c[i], the sum over i in
    /// increasing order for either layout.
    /// </summary>
    private static (float[] Weights, float[] Biases) FoldedFirstLayer(OnnxExportPlan plan)
    {
        MlpNetwork network = plan.Network;
        NetworkLayout layout = network.Layout;
        double[] a = plan.InputScale ?? throw new InvalidOperationException("The plan has no input scale to fold.");
        double[] c = plan.InputShift ?? throw new InvalidOperationException("The plan has an input scale but no shift.");
        float[] weights = network.StoredWeights(0).ToArray();
        ReadOnlySpan<float> stored = network.Biases(0).Span;
        int inputs = layout.InputsOf(0), units = layout.OutputsOf(0);
        var biases = new double[units];
        for (int o = 0; o < units; o++)
            biases[o] = stored[o];
        if (network.IsInputMajor(0))
        {
            // Row i holds input i's weight to every unit.
            for (int i = 0; i < inputs; i++)
            {
                Span<float> row = weights.AsSpan(i * units, units);
                for (int o = 0; o < units; o++)
                {
                    double w = row[o];
                    biases[o] += w * c[i];
                    row[o] = (float)(w * a[i]);
                }
            }
        }
        else
        {
            for (int o = 0; o < units; o++)
            {
                Span<float> row = weights.AsSpan(o * inputs, inputs);
                for (int i = 0; i < inputs; i++)
                {
                    double w = row[i];
                    biases[o] += w * c[i];
                    row[i] = (float)(w * a[i]);
                }
            }
        }
        return (weights, biases.Select(v => (float)v).ToArray());
    }

    private static TensorProto KeyValueTensor(OnnxKeyValues values)
    {
        var tensor = NewTensor("mlp.label_values", values.ElementType, new long[] { values.Values.Length });
        switch (values.Values)
        {
            case string[] s: AddStrings(tensor, s); break;
            case float[] f: tensor.FloatData.AddRange(f); break;
            case double[] d: tensor.DoubleData.AddRange(d); break;
            case long[] l: tensor.Int64Data.AddRange(l); break;
            case int[] i: tensor.Int32Data.AddRange(i); break;
            case short[] i: tensor.Int32Data.AddRange(i.Select(v => (int)v)); break;
            case ushort[] i: tensor.Int32Data.AddRange(i.Select(v => (int)v)); break;
            case sbyte[] i: tensor.Int32Data.AddRange(i.Select(v => (int)v)); break;
            case byte[] i: tensor.Int32Data.AddRange(i.Select(v => (int)v)); break;
            case bool[] i: tensor.Int32Data.AddRange(i.Select(v => v ? 1 : 0)); break;
            case uint[] u: tensor.Uint64Data.AddRange(u.Select(v => (ulong)v)); break;
            case ulong[] u: tensor.Uint64Data.AddRange(u); break;
            default: throw new InvalidOperationException($"No tensor encoding for {values.Values.GetType()}.");
        }
        return tensor;
    }

    private static string DescribeGraph(OnnxExportPlan plan)
    {
        var text = new StringBuilder();
        text.Append("Inputs: ").AppendJoin(", ", plan.Inputs.DistinctBy(i => i.Name).Select(i => $"'{i.Name}' float32 [N, {i.Width}]"))
            .AppendLine(plan.Inputs.Count == 1 ? "." : $", joined by Concat into [N, {plan.Network.Layout.InputSize}] in the order {string.Join(", ", plan.Inputs.Select(i => i.Name))}.");
        text.AppendLine("Pipeline:");
        foreach (string step in plan.PipelineSummary)
            text.AppendLine($"  {step}");
        text.Append("Outputs: ").AppendJoin(", ", plan.Outputs.Select(o => $"{o.Name} ({o.Kind})")).AppendLine(".");
        return text.ToString();
    }
}
