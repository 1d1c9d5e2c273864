using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Tests.Sparse;

/// <summary>
/// A generated table like the ones ML.NET's categorical-data tutorials use: three categorical columns (40, 25 and 12
/// values) and one numeric column; the label is true when the row's categories' hidden scores plus the number pass a
/// threshold, so a model must learn per-category weights. <see cref="Hashed"/> makes the usual pipeline's features.
/// </summary>
internal static class SparseTableData
{
    public sealed class Row
    {
        public string Color { get; set; } = "";
        public string Shape { get; set; } = "";
        public string Size { get; set; } = "";
        public float Amount { get; set; }
        public bool Label { get; set; }
    }

    public static List<Row> Rows(int count, int seed)
    {
        var random = new Random(seed);
        var scores = new Random(1234); // the hidden per-category scores are the same for every sample
        double[] color = Enumerable.Range(0, 40).Select(_ => scores.NextDouble() * 2 - 1).ToArray();
        double[] shape = Enumerable.Range(0, 25).Select(_ => scores.NextDouble() * 2 - 1).ToArray();
        double[] size = Enumerable.Range(0, 12).Select(_ => scores.NextDouble() * 2 - 1).ToArray();
        var rows = new List<Row>(count);
        for (int i = 0; i < count; i++)
        {
            int c = random.Next(40), s = random.Next(25), z = random.Next(12);
            float amount = (float)(random.NextDouble() * 2 - 1);
            rows.Add(new Row
            {
                Color = "c" + c.ToString(CultureInfo.InvariantCulture),
                Shape = "s" + s.ToString(CultureInfo.InvariantCulture),
                Size = "z" + z.ToString(CultureInfo.InvariantCulture),
                Amount = amount,
                Label = color[c] + shape[s] + size[z] + 0.5 * amount > 0,
            });
        }
        return rows;
    }

    /// <summary>Each categorical column hashed to 2^<paramref name="bits"/> slots, concatenated with the numeric column into "Features".</summary>
    public static IEstimator<ITransformer> Hashed(MLContext ml, int bits)
        => ml.Transforms.Categorical.OneHotHashEncoding(new[]
            {
                new InputOutputColumnPair("Color"), new InputOutputColumnPair("Shape"), new InputOutputColumnPair("Size"),
            }, numberOfBits: bits)
            .Append(ml.Transforms.Concatenate("Features", "Color", "Shape", "Size", "Amount"));

    /// <summary>Fits the hashed pipeline with a binary MLP; returns the model and every line its training logged.</summary>
    public static (ITransformer Model, MlpBinaryModelParameters Mlp, List<string> Log) Fit(MLContext ml, IDataView train, MlpOptions options, int bits = 12)
    {
        var log = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source.StartsWith("MlpBinary", StringComparison.Ordinal))
                lock (log)
                    log.Add(e.Message);
        };
        var model = Hashed(ml, bits).Append(ml.BinaryClassification.Trainers.Mlp(options)).Fit(train);
        return (model, model.LastTransformer.Model, log);
    }
}
