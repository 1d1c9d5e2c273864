using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Benchmarks;

/// <summary>
/// Out-of-the-box quality: 5-fold cross-validation of the MLP with default options (and with Optimizer = Lbfgs) on
/// scikit-learn's bundled small tables — diabetes (regression, RMSE), breast cancer (binary, accuracy), wine and digits
/// (multiclass, accuracy) — with features standardised on each training part (NormalizeMeanVariance without fixZero, as
/// scikit-learn's StandardScaler). Writes each table with its fold assignment (a seeded permutation, position mod 5) as
/// a CSV, so <c>peers/defaults.py</c> cross-validates scikit-learn's MLP on exactly the same rows and folds, and prints one
/// line per data set and variant: name, metric, mean over the folds, standard deviation, seconds.
/// </summary>
internal static class DefaultsBenchmark
{
    public const int Folds = 5;

    public static string DefaultDataDirectory => "/usr/lib/python3/dist-packages/sklearn/datasets/data";

    private sealed record Table(string Name, string Task, float[][] Features, float[] Labels);

    private sealed class Row
    {
        public float Label { get; set; }

        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class BinaryRow
    {
        public bool Label { get; set; }

        public float[] Features { get; set; } = Array.Empty<float>();
    }

    /// <param name="dataDirectory">scikit-learn's <c>datasets/data</c> folder.</param>
    /// <param name="outputDirectory">Where the tables with their folds are written.</param>
    public static int Run(string dataDirectory, string outputDirectory)
    {
        if (!File.Exists(Path.Combine(dataDirectory, "wine_data.csv")))
        {
            Console.Error.WriteLine($"No scikit-learn data in '{dataDirectory}': apt-get install python3-sklearn (or pass the datasets/data folder).");
            return 1;
        }
        Directory.CreateDirectory(outputDirectory);
        Table[] tables =
        {
            Diabetes(dataDirectory), WithHeader(dataDirectory, "breast_cancer.csv", "breast_cancer", "binary"),
            WithHeader(dataDirectory, "wine_data.csv", "wine", "multiclass"), Digits(dataDirectory),
        };
        foreach (Table table in tables)
        {
            int[] folds = FoldOf(table.Labels.Length, seed: 0);
            WriteTable(Path.Combine(outputDirectory, table.Name + ".csv"), table, folds);
            foreach ((string variant, Func<MlpOptions> options, bool fixZero) in new (string, Func<MlpOptions>, bool)[]
                     {
                         ("mlptrainer-defaults", () => new MlpOptions { Seed = 0 }, false),
                         ("mlptrainer-lbfgs", () => new MlpOptions { Seed = 0, Optimizer = MlpOptimizer.Lbfgs }, false),
                         // Default options after ML.NET's default NormalizeMeanVariance (fixZero: true, no centring):
                         // what README's "Why fixZero: false" compares with (defaults.sh's table leaves it out).
                         ("mlptrainer-defaults-fixzero", () => new MlpOptions { Seed = 0 }, true),
                     })
            {
                var scores = new double[Folds];
                long started = Stopwatch.GetTimestamp();
                for (int fold = 0; fold < Folds; fold++)
                    scores[fold] = Score(table, folds, fold, options(), fixZero);
                double mean = scores.Average(), sd = Math.Sqrt(scores.Sum(s => (s - mean) * (s - mean)) / (Folds - 1));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{table.Name} {(table.Task == "regression" ? "rmse" : "accuracy")} {variant} {mean:F4} {sd:F4} {Stopwatch.GetElapsedTime(started).TotalSeconds:F1}"));
            }
        }
        return 0;
    }

    /// <summary>Fold of each row: a permutation drawn with <paramref name="seed"/>, position mod <see cref="Folds"/>.</summary>
    private static int[] FoldOf(int rows, int seed)
    {
        int[] order = Enumerable.Range(0, rows).ToArray();
        new Random(seed).Shuffle(order);
        var folds = new int[rows];
        for (int position = 0; position < rows; position++)
            folds[order[position]] = position % Folds;
        return folds;
    }

    private static double Score(Table table, int[] folds, int fold, MlpOptions options, bool fixZero)
    {
        var ml = new MLContext(seed: 0);
        int width = table.Features[0].Length;
        var schema = SchemaDefinition.Create(table.Task == "binary" ? typeof(BinaryRow) : typeof(Row));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        IDataView Load(bool test)
        {
            var rows = Enumerable.Range(0, table.Labels.Length).Where(r => (folds[r] == fold) == test);
            return table.Task == "binary"
                ? ml.Data.LoadFromEnumerable(rows.Select(r => new BinaryRow { Label = table.Labels[r] > 0, Features = table.Features[r] }).ToList(), schema)
                : ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Label = table.Labels[r], Features = table.Features[r] }).ToList(), schema);
        }
        IDataView train = Load(test: false), test = Load(test: true);
        var normalize = ml.Transforms.NormalizeMeanVariance("Features", fixZero: fixZero);
        switch (table.Task)
        {
            case "regression":
                return ml.Regression.Evaluate(normalize.Append(ml.Regression.Trainers.Mlp(options)).Fit(train).Transform(test)).RootMeanSquaredError;
            case "binary":
                return ml.BinaryClassification.Evaluate(normalize.Append(ml.BinaryClassification.Trainers.Mlp(options)).Fit(train).Transform(test)).Accuracy;
            default:
                var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(normalize).Append(ml.MulticlassClassification.Trainers.Mlp(options));
                return ml.MulticlassClassification.Evaluate(pipeline.Fit(train).Transform(test)).MicroAccuracy;
        }
    }

    private static void WriteTable(string path, Table table, int[] folds)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine(string.Join(",", Enumerable.Range(0, table.Features[0].Length).Select(j => $"x{j}")) + ",label,fold");
        for (int r = 0; r < table.Labels.Length; r++)
            writer.WriteLine(string.Join(",", table.Features[r].Select(v => v.ToString("R", CultureInfo.InvariantCulture))) +
                             "," + table.Labels[r].ToString("R", CultureInfo.InvariantCulture) + "," + folds[r]);
    }

    private static IEnumerable<string> Lines(string path)
    {
        using Stream file = File.OpenRead(path);
        using Stream data = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(data);
        while (reader.ReadLine() is { } line)
        {
            if (line.Trim().Length > 0)
                yield return line;
        }
    }

    private static float[] Numbers(string line, char separator)
        => line.Split(separator, StringSplitOptions.RemoveEmptyEntries).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>442 rows, 10 raw features (diabetes_data_raw.csv.gz), target in diabetes_target.csv.gz.</summary>
    private static Table Diabetes(string directory)
    {
        float[][] x = Lines(Path.Combine(directory, "diabetes_data_raw.csv.gz")).Select(l => Numbers(l, ' ')).ToArray();
        float[] y = Lines(Path.Combine(directory, "diabetes_target.csv.gz")).Select(l => Numbers(l, ' ')[0]).ToArray();
        return new Table("diabetes", "regression", x, y);
    }

    /// <summary>The format of breast_cancer.csv and wine_data.csv: a header "rows,features,class names…", then features and the class.</summary>
    private static Table WithHeader(string directory, string file, string name, string task)
    {
        float[][] rows = Lines(Path.Combine(directory, file)).Skip(1).Select(l => Numbers(l, ',')).ToArray();
        return new Table(name, task, rows.Select(r => r[..^1]).ToArray(), rows.Select(r => r[^1]).ToArray());
    }

    /// <summary>1,797 rows of 64 pixel values and the digit (digits.csv.gz).</summary>
    private static Table Digits(string directory)
    {
        float[][] rows = Lines(Path.Combine(directory, "digits.csv.gz")).Select(l => Numbers(l, ',')).ToArray();
        return new Table("digits", "multiclass", rows.Select(r => r[..^1]).ToArray(), rows.Select(r => r[^1]).ToArray());
    }
}
