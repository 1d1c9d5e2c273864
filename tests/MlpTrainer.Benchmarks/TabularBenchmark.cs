using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlpTrainer.Benchmarks;

/// <summary>
/// Default options against gradient boosting (issue 20): on every table of the manifest that
/// <c>data/make_tables.sh</c> wrote (real tables from Debian's R data packages and scikit-learn), the MLP with default
/// options, ML.NET's LightGbm and FastTree with defaults and two linear trainers per task, each in the pipeline a
/// tutorial uses: numeric columns concatenated and <c>NormalizeMeanVariance</c>-ed, categorical ones
/// <c>OneHotEncoding</c>-ed, text ones <c>FeaturizeText</c>-ed, a multiclass label <c>MapValueToKey</c>-ed. Every table
/// carries its fold column (written once by the data script, shared with <c>peers/tabular.py</c>): 5-fold
/// cross-validation, or one 80/20 holdout (fold 0 is the test part) for a big table. Writes one line per table,
/// trainer and fold (metrics and the wall time of the pipeline's <c>Fit</c>) to a tab-separated file that
/// <c>peers/tabular_report.py</c> turns into the Markdown table, the mean ranks and the plot. With the environment
/// variable <c>MLP_BENCHMARK_LOG=1</c> the MLP's log lines (data path, epochs) go to standard error. Before a table's
/// timed fits, its featurizers and each trainer run once, untimed, so no timed fit includes compiling code.
/// </summary>
internal static class TabularBenchmark
{
    public static readonly string[] AllTrainers = { "mlp", "lightgbm", "fasttree", "linear-sdca", "linear-alt" };

    public static string DefaultDataDirectory => Path.Combine(
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache ? cache
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "mlptrainer-tables");

    /// <summary>One table of the manifest (manifest.json in the data directory).</summary>
    private sealed record TableSpec(
        string Name, string File, string Task, string Label, string[] Numeric, string[] Categorical, string[] Text, int Folds);

    /// <summary>The fold column, for splitting a loaded table.</summary>
    private sealed class FoldRow
    {
        public float Fold { get; set; }
    }

    public static int Run(string[] args)
    {
        string data = DefaultDataDirectory, output = "tabular-dotnet.tsv";
        string[]? onlyTables = null;
        string[] trainers = AllTrainers;
        string? mlpSettings = null;
        for (int i = 1; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
                return Fail($"Option '{args[i]}' needs a value.");
            switch (args[i])
            {
                case "--data": data = args[i + 1]; break;
                case "--out": output = args[i + 1]; break;
                case "--tables": onlyTables = args[i + 1].Split(',', StringSplitOptions.RemoveEmptyEntries); break;
                case "--trainers": trainers = args[i + 1].Split(',', StringSplitOptions.RemoveEmptyEntries); break;
                case "--mlp": mlpSettings = args[i + 1]; break;
                default: return Fail($"Unknown option '{args[i]}' for tabular: --data DIR, --out FILE, --tables a,b, --trainers {string.Join(',', AllTrainers)}, " +
                                     "--mlp \"Field=value;...\" (MlpOptions fields the MLP sets instead of their defaults).");
            }
        }
        if (trainers.FirstOrDefault(t => !AllTrainers.Contains(t)) is { } unknown)
            return Fail($"Unknown trainer '{unknown}': one of {string.Join(", ", AllTrainers)}.");
        string manifest = Path.Combine(data, "manifest.json");
        if (!File.Exists(manifest))
            return Fail($"No manifest at '{manifest}'. Write the tables with: bash tests/MlpTrainer.Benchmarks/data/make_tables.sh '{data}'.");
        TableSpec[] tables = ReadManifest(manifest);
        if (onlyTables is not null)
        {
            if (onlyTables.FirstOrDefault(n => tables.All(t => t.Name != n)) is { } missing)
                return Fail($"Table '{missing}' is not in the manifest: {string.Join(", ", tables.Select(t => t.Name))}.");
            tables = tables.Where(t => onlyTables.Contains(t.Name)).ToArray();
        }

        using var writer = new StreamWriter(output) { AutoFlush = true };
        writer.WriteLine("table\ttask\ttrainer\tfold\tmetric\tvalue\tmetric2\tvalue2\tfit_seconds");
        foreach (TableSpec table in tables)
        {
            var ml = new MLContext(seed: 0);
            if (Environment.GetEnvironmentVariable("MLP_BENCHMARK_LOG") == "1")
                ml.Log += (_, e) => { if (e.Source.Contains("Mlp", StringComparison.Ordinal)) Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss.fff}] {e.Message}"); };
            IDataView all = Load(ml, table, Path.Combine(data, table.File));
            // Fold 0 only for a holdout table (its fold 0 is the 20% test part).
            int evaluated = table.Folds == 1 ? 1 : table.Folds;
            for (int fold = 0; fold < evaluated; fold++)
            {
                int k = fold;
                IDataView train = ml.Data.Cache(ml.Data.FilterByCustomPredicate<FoldRow>(all, r => (int)r.Fold == k));
                IDataView test = ml.Data.Cache(ml.Data.FilterByCustomPredicate<FoldRow>(all, r => (int)r.Fold != k));
                long trainRows = Count(train), testRows = Count(test);   // fills the caches: reading the file is not timed
                // The featurizers once, untimed, so the first trainer does not pay for compiling them (FeaturizeText's
                // first fit took over 1 s more than the next): every trainer's time is then its own. In a context of
                // its own, so the trainers' seeds, drawn from this context, stay those of a run without it.
                if (fold == 0)
                {
                    ReadFeatures(Featurize(new MLContext(seed: 0), table, all).Fit(train).Transform(train));
                    WarmUp(table, all, train, trainers, mlpSettings);
                }
                foreach (string trainer in trainers)
                {
                    IEstimator<ITransformer> pipeline = Featurize(ml, table, all).AppendCacheCheckpoint(ml).Append(Trainer(ml, table.Task, trainer, mlpSettings));
                    var watch = Stopwatch.StartNew();
                    ITransformer model = pipeline.Fit(train);
                    double seconds = watch.Elapsed.TotalSeconds;
                    (string metric, double value, string metric2, double value2) = Evaluate(ml, table.Task, model.Transform(test));
                    string line = string.Create(CultureInfo.InvariantCulture,
                        $"{table.Name}\t{table.Task}\t{trainer}\t{fold}\t{metric}\t{value:R}\t{metric2}\t{value2:R}\t{seconds:F3}");
                    writer.WriteLine(line);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{table.Name} fold {fold} ({trainRows} train, {testRows} test rows) {trainer}: {metric} {value:F4}, {metric2} {value2:F4}, fit {seconds:F2} s"));
                }
            }
        }
        return 0;
    }

    /// <summary>
    /// Each trainer fitted once, untimed, on the first <see cref="WarmUpRows"/> training rows of the table's first fold,
    /// in a context of its own (so the timed fits' seeds stay those of a run without it): the code a trainer runs for this
    /// kind of data (dense or sparse features, the task) is then compiled before its timed fit, whatever ran before it in
    /// the process. Without it, the first trainer on the only text table paid for compiling its sparse path (about
    /// 0.4 s) while the linear trainers had compiled theirs on earlier tables. A warm-up that fails (too few rows of a
    /// class, say) is reported and the timed fit goes on.
    /// </summary>
    private static void WarmUp(TableSpec table, IDataView all, IDataView train, string[] trainers, string? mlpSettings)
    {
        foreach (string trainer in trainers)
        {
            var ml = new MLContext(seed: 0);
            try
            {
                IDataView rows = ml.Data.TakeRows(train, WarmUpRows);
                Featurize(ml, table, all).AppendCacheCheckpoint(ml).Append(Trainer(ml, table.Task, trainer, mlpSettings)).Fit(rows);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                Console.Error.WriteLine($"{table.Name}: the untimed warm-up of {trainer} failed ({e.Message}); its timed fits include compiling its code.");
            }
        }
    }

    /// <summary>Rows of the untimed warm-up fit of each trainer.</summary>
    private const int WarmUpRows = 300;

    private static TableSpec[] ReadManifest(string path)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        string[] Strings(JsonElement table, string name)
            => table.TryGetProperty(name, out JsonElement list) ? list.EnumerateArray().Select(e => e.GetString()!).ToArray() : Array.Empty<string>();
        return document.RootElement.GetProperty("tables").EnumerateArray().Select(t => new TableSpec(
            t.GetProperty("name").GetString()!, t.GetProperty("file").GetString()!, t.GetProperty("task").GetString()!,
            t.GetProperty("label").GetString()!, Strings(t, "numeric"), Strings(t, "categorical"), Strings(t, "text"),
            t.GetProperty("folds").GetInt32())).ToArray();
    }

    /// <summary>Reads the CSV: features by the manifest's kinds, the label as "Label" (Single, Boolean from 0/1, or text), the fold.</summary>
    private static IDataView Load(MLContext ml, TableSpec table, string csv)
    {
        string[] header;
        using (var reader = new StreamReader(csv))
            header = reader.ReadLine()!.Split(',').Select(h => h.Trim('"')).ToArray();
        int Index(string column)
        {
            int index = Array.IndexOf(header, column);
            return index >= 0 ? index : throw new InvalidDataException($"{csv} has no column '{column}'.");
        }
        DataKind labelKind = table.Task switch { "regression" => DataKind.Single, "binary" => DataKind.Boolean, _ => DataKind.String };
        var columns = table.Numeric.Select(c => new TextLoader.Column(c, DataKind.Single, Index(c)))
            .Concat(table.Categorical.Concat(table.Text).Select(c => new TextLoader.Column(c, DataKind.String, Index(c))))
            .Append(new TextLoader.Column("Label", labelKind, Index(table.Label)))
            .Append(new TextLoader.Column("Fold", DataKind.Single, Index("fold")))
            .ToArray();
        return ml.Data.LoadFromTextFile(csv, columns, separatorChar: ',', hasHeader: true, allowQuoting: true);
    }

    /// <summary>Reads every row's "Features" (so the featurizers really run).</summary>
    private static void ReadFeatures(IDataView view)
    {
        DataViewSchema.Column features = view.Schema["Features"];
        using DataViewRowCursor cursor = view.GetRowCursor(new[] { features });
        ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(features);
        VBuffer<float> values = default;
        while (cursor.MoveNext())
            getter(ref values);
    }

    private static long Count(IDataView view)
    {
        long rows = 0;
        using DataViewRowCursor cursor = view.GetRowCursor(Array.Empty<DataViewSchema.Column>());
        while (cursor.MoveNext())
            rows++;
        return rows;
    }

    /// <summary>
    /// The tutorial pipeline: numeric → Concatenate + NormalizeMeanVariance, categorical → OneHotEncoding, text →
    /// FeaturizeText, all concatenated into "Features"; a multiclass label → MapValueToKey over the table's whole label
    /// column (so a rare class missing from a training part still has its key).
    /// </summary>
    private static IEstimator<ITransformer> Featurize(MLContext ml, TableSpec table, IDataView all)
    {
        IEstimator<ITransformer> pipeline = new EstimatorChain<ITransformer>();
        var parts = new List<string>();
        if (table.Task == "multiclass")
            pipeline = pipeline.Append(ml.Transforms.Conversion.MapValueToKey("Label", keyData: ml.Transforms.SelectColumns("Label").Fit(all).Transform(all)));
        if (table.Numeric.Length > 0)
        {
            pipeline = pipeline.Append(ml.Transforms.Concatenate("NumericFeatures", table.Numeric))
                .Append(ml.Transforms.NormalizeMeanVariance("NumericFeatures"));
            parts.Add("NumericFeatures");
        }
        if (table.Categorical.Length > 0)
        {
            pipeline = pipeline.Append(ml.Transforms.Categorical.OneHotEncoding(
                table.Categorical.Select(c => new InputOutputColumnPair(c + "_onehot", c)).ToArray()));
            parts.AddRange(table.Categorical.Select(c => c + "_onehot"));
        }
        foreach (string text in table.Text)
        {
            pipeline = pipeline.Append(ml.Transforms.Text.FeaturizeText(text + "_text", text));
            parts.Add(text + "_text");
        }
        return pipeline.Append(ml.Transforms.Concatenate("Features", parts.ToArray()));
    }

    /// <summary>
    /// The trainer with its default options (the MLP's seed comes from the MLContext's), or for the MLP the defaults with
    /// the fields <c>--mlp</c> sets (to measure a candidate default on the whole suite).
    /// </summary>
    private static IEstimator<ITransformer> Trainer(MLContext ml, string task, string trainer, string? mlpSettings) => (task, trainer) switch
    {
        ("regression", "mlp") => ml.Regression.Trainers.Mlp(MlpOptionsText.Parse(mlpSettings)),
        ("regression", "lightgbm") => ml.Regression.Trainers.LightGbm(),
        ("regression", "fasttree") => ml.Regression.Trainers.FastTree(),
        ("regression", "linear-sdca") => ml.Regression.Trainers.Sdca(),
        ("regression", "linear-alt") => ml.Regression.Trainers.OnlineGradientDescent(),
        ("binary", "mlp") => ml.BinaryClassification.Trainers.Mlp(MlpOptionsText.Parse(mlpSettings)),
        ("binary", "lightgbm") => ml.BinaryClassification.Trainers.LightGbm(),
        ("binary", "fasttree") => ml.BinaryClassification.Trainers.FastTree(),
        ("binary", "linear-sdca") => ml.BinaryClassification.Trainers.SdcaLogisticRegression(),
        ("binary", "linear-alt") => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(),
        ("multiclass", "mlp") => ml.MulticlassClassification.Trainers.Mlp(MlpOptionsText.Parse(mlpSettings)),
        ("multiclass", "lightgbm") => ml.MulticlassClassification.Trainers.LightGbm(),
        ("multiclass", "fasttree") => ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree()),
        ("multiclass", "linear-sdca") => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(),
        ("multiclass", "linear-alt") => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(),
        _ => throw new ArgumentException($"No trainer '{trainer}' for task '{task}'."),
    };

    /// <summary>Primary metric (RMSE, AUC, micro-accuracy) and a second one (R², accuracy, log-loss).</summary>
    private static (string, double, string, double) Evaluate(MLContext ml, string task, IDataView scored)
    {
        switch (task)
        {
            case "regression":
                RegressionMetrics r = ml.Regression.Evaluate(scored);
                return ("rmse", r.RootMeanSquaredError, "r2", r.RSquared);
            case "binary":
                BinaryClassificationMetrics b = ml.BinaryClassification.EvaluateNonCalibrated(scored);
                return ("auc", b.AreaUnderRocCurve, "accuracy", b.Accuracy);
            default:
                MulticlassClassificationMetrics m = ml.MulticlassClassification.Evaluate(scored);
                return ("micro_accuracy", m.MicroAccuracy, "log_loss", m.LogLoss);
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }
}
