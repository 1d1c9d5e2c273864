using Google.Protobuf;
using Microsoft.ML;
using MlpTrainer.Onnx;
using MlpTrainer.Onnx.Proto;

namespace MlpTrainer;

/// <summary>
/// Exports a trained MlpTrainer model, alone or inside its pipeline, to an ONNX model file that ONNX Runtime (or
/// any ONNX runtime) scores with the same results as ML.NET: <c>mlContext.Model.ExportMlpToOnnx(model, data.Schema, stream)</c>.
/// </summary>
/// <remarks>
/// <para><b>Format.</b> ONNX IR version 8, operator set 17 of the default domain (ai.onnx), standard operators only:
/// Concat, Gemm, Relu, Sigmoid, Tanh, LeakyRelu, Softmax, ArgMax, Add, Mul, Cast, Gather, Greater, Identity.</para>
/// <para><b>What is exported.</b> <c>model</c> is the MLP's prediction transformer
/// (<c>MulticlassPredictionTransformer&lt;MlpModelParameters&gt;</c>,
/// <c>BinaryPredictionTransformer&lt;MlpBinaryModelParameters&gt;</c> or
/// <c>RegressionPredictionTransformer&lt;MlpRegressionModelParameters&gt;</c>) or a <c>TransformerChain</c> around it.
/// Before the MLP the chain may hold, on the columns the feature vector is made from, <c>Concatenate</c> of Single
/// columns (scalars or vectors), <c>CopyColumns</c> and affine normalizers (<c>NormalizeMinMax</c>,
/// <c>NormalizeMeanVariance</c>, <c>NormalizeRobustScaling</c>: y = (x − offset)·scale), before or after the
/// <c>Concatenate</c>, all folded into the first layer's weights and biases; and <c>MapValueToKey</c> on the label,
/// which only training needs and is left out. After a multiclass MLP it may hold <c>MapKeyToValue</c> of
/// <c>PredictedLabel</c>, which becomes an output with the label's original values, and after any MLP <c>CopyColumns</c>
/// of its outputs, each one more output (<c>Identity</c>). Any other transformer throws
/// <see cref="NotSupportedException"/> naming its type and the line that exports the MLP alone (its transformer and
/// the transformed data's schema), whose features you then compute yourself.</para>
/// <para><b>Inputs.</b> One float32 tensor per data column the features are made from, named like the column: [N, size]
/// for a vector, [N, 1] for a scalar, N dynamic; several are joined with <c>Concat</c> in the pipeline's order. Without
/// a <c>Concatenate</c> that is the one feature column (the column the first normalizer reads, or the MLP's feature
/// column).</para>
/// <para><b>Graph and outputs</b>, named like ML.NET's columns; per-row scalars have shape [N, 1]:</para>
/// <list type="bullet">
/// <item><b>Every task:</b> one <c>Gemm</c> (transB = 1, weights [units, inputs]) per dense layer, each hidden one followed by
/// its activation (<c>Relu</c>, <c>Sigmoid</c>, <c>Tanh</c>, <c>LeakyRelu</c> with alpha = the slope; none for Identity).
/// A model trained on sparse features stores its first layer input-major; that layer is exported as stored, weights
/// [inputs, units] with transB = 0, so a wide first layer is never transposed. The input is still a dense
/// [N, features] tensor.</item>
/// <item><b>Multiclass:</b> <c>Score</c> = <c>Softmax</c>(logits, axis 1), float [N, classes];
/// <c>PredictedLabel</c> = <c>Cast</c>(<c>ArgMax</c>(Score, axis 1) + 1) to uint32 [N, 1], ML.NET's 1-based key; with
/// <c>MapKeyToValue</c>, its output column = <c>Gather</c>(label values, ArgMax), [N, 1] of the label's type (string,
/// float, …).</item>
/// <item><b>Binary:</b> <c>Score</c> = the logit, float [N, 1]; <c>Probability</c> = <c>Sigmoid</c>(Score), float [N, 1];
/// <c>PredictedLabel</c> = <c>Greater</c>(Score, threshold), bool [N, 1] (the transformer's threshold, 0 by default,
/// or on the Probability if it was set there).</item>
/// <item><b>Regression:</b> <c>Score</c> float [N, 1], the output layer's value, then <c>Mul</c> and <c>Add</c> by the
/// label scaling learned with <see cref="MlpOptions.NormalizeLabel"/> when there is one.</item>
/// </list>
/// </remarks>
public static class MlpOnnxExport
{
    /// <summary>The ai.onnx operator set version the exported graphs use.</summary>
    public const int OpsetVersion = MlpOnnxGraph.Opset;

    /// <summary>Writes <paramref name="model"/> as an ONNX model to <paramref name="stream"/> (left open).</summary>
    /// <param name="catalog">The model operations catalog, <c>mlContext.Model</c>.</param>
    /// <param name="model">The MLP's prediction transformer, or a fitted pipeline around it.</param>
    /// <param name="inputSchema">The schema of the data the model is applied to (e.g. the training data's <c>Schema</c>);
    /// it must hold the feature vector column. The label may be absent.</param>
    /// <param name="stream">A writable stream.</param>
    /// <exception cref="NotSupportedException">The pipeline holds a transformer the export cannot express (the message names it),
    /// or the network's weights pass the 2 GiB an ONNX file can hold.</exception>
    /// <exception cref="ArgumentException">The model holds no MLP, or the schema lacks its feature column.</exception>
    /// <exception cref="InvalidOperationException">The loaded ML.NET is not a version this MlpTrainer supports; the message names the supported range.</exception>
    public static void ExportMlpToOnnx(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, Stream stream)
    {
        MlNetVersionCheck.ThrowIfUnsupported();
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
            throw new ArgumentException("The stream is not writable.", nameof(stream));
        ModelProto onnx = MlpOnnxGraph.Build(OnnxPipelineReader.Read(model, inputSchema));
        onnx.WriteTo(stream);
        stream.Flush();
    }

    /// <summary>Writes <paramref name="model"/> as an ONNX model to the file <paramref name="filePath"/> (created or replaced).</summary>
    /// <inheritdoc cref="ExportMlpToOnnx(ModelOperationsCatalog, ITransformer, DataViewSchema, Stream)"/>
    public static void ExportMlpToOnnx(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string filePath)
    {
        MlNetVersionCheck.ThrowIfUnsupported();
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        // Build first, so an unsupported pipeline leaves no empty file behind.
        ModelProto onnx = MlpOnnxGraph.Build(OnnxPipelineReader.Read(model, inputSchema));
        using var file = new FileStream(filePath, FileMode.Create, FileAccess.Write, FileShare.None);
        onnx.WriteTo(file);
    }
}
