using System.Globalization;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Tests.Persistence;

namespace MlpTrainer.Tests.Defaults;

/// <summary>scikit-learn's wine and diabetes tables (Data/README.md), loaded as ML.NET data views, and a k-fold split.</summary>
internal static class SmallTables
{
    public sealed class Row
    {
        public float Label { get; set; }

        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private static string DataFile(string name) => Path.Combine(SourceTree.Root, "tests", "MlpTrainer.Tests", "Defaults", "Data", name);

    /// <summary>178 wines: 13 measurements, the cultivar (0–2) as a float label.</summary>
    public static Row[] Wine()
        => Lines("wine_data.csv").Skip(1).Select(line => Numbers(line, ',')).Select(v => new Row { Features = v[..^1], Label = v[^1] }).ToArray();

    /// <summary>442 patients: 10 raw baseline variables, the disease progression as the label.</summary>
    public static Row[] Diabetes()
    {
        float[][] x = Lines("diabetes_data_raw.csv.gz").Select(line => Numbers(line, ' ')).ToArray();
        float[] y = Lines("diabetes_target.csv.gz").Select(line => Numbers(line, ' ')[0]).ToArray();
        return x.Select((features, i) => new Row { Features = features, Label = y[i] }).ToArray();
    }

    /// <summary>Fold <paramref name="fold"/> of <paramref name="folds"/> as (train, test): a permutation seeded with 0, position mod folds.</summary>
    public static (IDataView Train, IDataView Test) Split(MLContext ml, Row[] rows, int fold, int folds)
    {
        int[] order = Enumerable.Range(0, rows.Length).ToArray();
        new Random(0).Shuffle(order);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, rows[0].Features.Length);
        IDataView Part(bool test) => ml.Data.LoadFromEnumerable(
            order.Select((row, position) => (row, position)).Where(p => (p.position % folds == fold) == test).Select(p => rows[p.row]).ToList(), schema);
        return (Part(test: false), Part(test: true));
    }

    private static IEnumerable<string> Lines(string name)
    {
        string path = DataFile(name);
        using Stream file = File.OpenRead(path);
        using Stream data = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(data);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Trim().Length > 0)
                lines.Add(line);
        }
        return lines;
    }

    private static float[] Numbers(string line, char separator)
        => line.Split(separator, StringSplitOptions.RemoveEmptyEntries).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
}
