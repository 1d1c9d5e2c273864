using Google.Protobuf;
using MlpTrainer.Onnx.Proto;

namespace MlpTrainer.Onnx;

/// <summary>
/// Collects the nodes, constant tensors (initializers), inputs and outputs of one ONNX graph, with the element
/// types and shapes ONNX wants, and refuses to give two values the same name (ONNX requires every value name in a
/// graph to be produced once).
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>The symbolic name of the batch dimension of every input and output.</summary>
    public const string BatchDimension = "N";

    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(string name) => Graph = new GraphProto { Name = name };

    public GraphProto Graph { get; }

    /// <summary>A graph input; a null dimension is the dynamic batch dimension <see cref="BatchDimension"/>.</summary>
    public string AddInput(string name, TensorProto.Types.DataType type, params long?[] dims)
    {
        Claim(name);
        Graph.Input.Add(ValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Declares a value that a node already produces (or will) as a graph output.</summary>
    public void AddOutput(string name, TensorProto.Types.DataType type, params long?[] dims)
    {
        if (!_names.Contains(name))
            throw new InvalidOperationException($"The graph output '{name}' is not produced by any node.");
        Graph.Output.Add(ValueInfo(name, type, dims));
    }

    /// <summary>A constant float tensor of the given shape (row-major).</summary>
    public string AddConstant(string name, long[] dims, ReadOnlySpan<float> values)
    {
        CheckCount(name, dims, values.Length);
        var tensor = NewTensor(name, TensorProto.Types.DataType.Float, dims);
        tensor.FloatData.Capacity = values.Length;
        foreach (float v in values)
            tensor.FloatData.Add(v);
        return AddInitializer(tensor);
    }

    /// <summary>A constant int64 tensor of the given shape.</summary>
    public string AddConstant(string name, long[] dims, ReadOnlySpan<long> values)
    {
        CheckCount(name, dims, values.Length);
        var tensor = NewTensor(name, TensorProto.Types.DataType.Int64, dims);
        foreach (long v in values)
            tensor.Int64Data.Add(v);
        return AddInitializer(tensor);
    }

    /// <summary>A constant tensor built by the caller (name, type and shape set); its name is claimed here.</summary>
    public string AddInitializer(TensorProto tensor)
    {
        Claim(tensor.Name);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a node of the default (ai.onnx) domain computing <paramref name="output"/>; returns the output's name.</summary>
    public string AddNode(string opType, IReadOnlyList<string> inputs, string output, params AttributeProto[] attributes)
    {
        foreach (string input in inputs)
        {
            if (!_names.Contains(input))
                throw new InvalidOperationException($"The {opType} node reads '{input}', which nothing produces before it.");
        }
        Claim(output);
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{Graph.Node.Count}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    public static AttributeProto IntAttribute(string name, long value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto FloatAttribute(string name, float value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static TensorProto NewTensor(string name, TensorProto.Types.DataType type, long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    /// <summary>Adds UTF-8 strings to a STRING tensor (ONNX stores them as bytes, no terminator).</summary>
    public static void AddStrings(TensorProto tensor, IEnumerable<string> values)
    {
        foreach (string value in values)
            tensor.StringData.Add(ByteString.CopyFromUtf8(value));
    }

    private void Claim(string name)
    {
        if (string.IsNullOrEmpty(name))
            throw new InvalidOperationException("ONNX values need a name.");
        if (!_names.Add(name))
            throw new InvalidOperationException($"The name '{name}' is used twice in the ONNX graph; rename the column so it does not clash with the exporter's internal names (which start with 'mlp.').");
    }

    private static void CheckCount(string name, long[] dims, int count)
    {
        long expected = dims.Aggregate(1L, (a, d) => a * d);
        if (expected != count)
            throw new InvalidOperationException($"The constant '{name}' has shape [{string.Join(", ", dims)}] but {count} values.");
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, long?[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long? d in dims)
            shape.Dim.Add(d is long size ? new TensorShapeProto.Types.Dimension { DimValue = size } : new TensorShapeProto.Types.Dimension { DimParam = BatchDimension });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
