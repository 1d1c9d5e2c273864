// MlpTrainer.ModelLoader: loads a saved ML.NET model in a fresh process and scores rows with it.
//
//   dotnet MlpTrainer.ModelLoader.dll <model.zip> <input.bin> <output.bin>
//   dotnet MlpTrainer.ModelLoader.dll <model.zip> <input.txt> <output.bin>   (a text model: one input text per line)
//
// The point is what this program does NOT do: it names no MlpTrainer type and never calls
// ComponentCatalog.RegisterAssembly. MlpTrainer.dll is only deployed beside it; ML.NET must find it from the name
// written in the model. Before loading, the program checks that MlpTrainer is not loaded yet.
//
// Binary formats (little-endian):
//   input.bin   int32 rowCount, int32 featureCount, float32[rowCount * featureCount]   (row after row)
//   output.bin  int32 rowCount, int32 scoreCount,
//               float32[rowCount * scoreCount]  the scores from model.Transform (a batch over all rows)
//               float32[rowCount * scoreCount]  the same fields from a PredictionEngine, one row at a time
//
// What a row's scores are depends on the model's Score column:
//   a vector of Single (multiclass)  the Score vector; scoreCount is its length
//   a Single (binary)                Score, Probability, PredictedLabel (1 for true, 0 for false); scoreCount 3
//   a Single (regression)            Score; scoreCount 1
// A scalar Score with a Probability column is read as binary (it must also have a Boolean PredictedLabel).
//
// The model's input schema must have a known-size vector of Single named "Features"; a "Label" column, if it has
// one, may be Single, Boolean, String or a UInt32 key and is filled with a default value (scores do not depend on it).
// With an input.txt, the model's input is instead a String column "Text" (a text pipeline such as FeaturizeText → MLP)
// and a Boolean "Label"; each line of the file is one row's text.
//
// Standard output, after a successful load, has "key: value" lines for the test to check:
//   MlpTrainerLoadedBeforeLoad: False
//   Transformers: <type names of the loaded model's transformers, comma-separated>
//   MlpModel: <type name of the prediction transformer's Model>, LayerSizes <a-b-c>
//   MlpTrainerAssembly: <path of the MlpTrainer.dll that ML.NET loaded>
//   LabelScaling: <mean> <standard deviation>   (round-trip "R" format; only for a model with that property)
//   TrainingHistoryEpochs: <number of entries of the model's TrainingHistory>
//   ScoreColumns: <the columns written per row, comma-separated, e.g. "Score" or "Score, Probability, PredictedLabel">
// Exit codes: 0 success, 1 loading or scoring threw (the exception chain is on standard error),
// 2 bad arguments or input, 3 MlpTrainer was loaded before Model.Load.

using System.Collections;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

const string MlpAssemblyName = "MlpTrainer";

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: MlpTrainer.ModelLoader <model.zip> <input.bin> <output.bin>");
    return 2;
}

bool loadedEarly = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == MlpAssemblyName);
Console.WriteLine($"MlpTrainerLoadedBeforeLoad: {loadedEarly}");
if (loadedEarly)
    return 3;

float[][] rows;
string[]? texts = null;
try
{
    if (args[1].EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
    {
        texts = File.ReadAllLines(args[1]);
        rows = Array.Empty<float[]>();
    }
    else
    {
        rows = ReadRows(args[1]);
    }
}
catch (Exception e) when (e is IOException or InvalidDataException)
{
    Console.Error.WriteLine($"Cannot read the input rows: {e.Message}");
    return 2;
}

try
{
    var mlContext = new MLContext(seed: 0);
    ITransformer model = mlContext.Model.Load(args[0], out DataViewSchema inputSchema);
    Describe(model);

    DataViewSchema.Column? label = inputSchema.GetColumnOrNull("Label");
    (float[][] Batch, float[][] Engine) scores = texts is not null ? Score(mlContext, model, inputSchema, texts, t => new TextRow { Text = t }) : label?.Type switch
    {
        null => Score(mlContext, model, inputSchema, rows, f => new FeaturesRow { Features = f }),
        NumberDataViewType n when n.RawType == typeof(float) => Score(mlContext, model, inputSchema, rows, f => new SingleLabelRow { Features = f }),
        BooleanDataViewType => Score(mlContext, model, inputSchema, rows, f => new BooleanLabelRow { Features = f }),
        TextDataViewType => Score(mlContext, model, inputSchema, rows, f => new StringLabelRow { Features = f }),
        KeyDataViewType k when k.RawType == typeof(uint) => Score(mlContext, model, inputSchema, rows, f => new KeyLabelRow { Features = f }),
        DataViewType other => throw new NotSupportedException($"The loader cannot fill a Label column of type {other}."),
    };
    WriteScores(args[2], scores.Batch, scores.Engine);
    return 0;
}
catch (Exception e)
{
    for (Exception? inner = e; inner != null; inner = inner.InnerException)
        Console.Error.WriteLine($"{inner.GetType().FullName}: {inner.Message}");
    return 1;
}

static float[][] ReadRows(string path)
{
    using var reader = new BinaryReader(File.OpenRead(path));
    int rowCount = reader.ReadInt32(), featureCount = reader.ReadInt32();
    if (rowCount < 0 || featureCount < 1 || reader.BaseStream.Length != 8 + 4L * rowCount * featureCount)
        throw new InvalidDataException($"{path}: {rowCount} rows of {featureCount} features do not match its {reader.BaseStream.Length} bytes.");
    var rows = new float[rowCount][];
    for (int r = 0; r < rowCount; r++)
    {
        rows[r] = new float[featureCount];
        for (int f = 0; f < featureCount; f++)
            rows[r][f] = reader.ReadSingle();
    }
    return rows;
}

static void WriteScores(string path, float[][] batch, float[][] engine)
{
    int width = batch.Length == 0 ? 0 : batch[0].Length;
    using var writer = new BinaryWriter(File.Create(path));
    writer.Write(batch.Length);
    writer.Write(width);
    foreach (float[][] block in new[] { batch, engine })
    {
        foreach (float[] row in block)
        {
            if (row.Length != width)
                throw new InvalidOperationException($"A Score vector has {row.Length} values; the first had {width}.");
            foreach (float v in row)
                writer.Write(v);
        }
    }
}

static (float[][] Batch, float[][] Engine) Score<TInput, TRow>(MLContext mlContext, ITransformer model, DataViewSchema inputSchema,
    IReadOnlyList<TInput> rows, Func<TInput, TRow> makeRow)
    where TRow : class, new()
{
    // The row classes' column types come from the saved schema: the vector size and the key type.
    SchemaDefinition definition = SchemaDefinition.Create(typeof(TRow));
    foreach (SchemaDefinition.Column column in definition)
        column.ColumnType = inputSchema[column.ColumnName].Type;

    IDataView data = mlContext.Data.LoadFromEnumerable(rows.Select(makeRow).ToList(), definition);
    IDataView scored = model.Transform(data);
    DataViewType scoreType = scored.Schema["Score"].Type;
    if (scoreType is VectorDataViewType)
        return ScoreVectors(mlContext, model, scored, definition, rows, makeRow);
    if (scoreType != NumberDataViewType.Single)
        throw new NotSupportedException($"The loader reads a Score column of a vector of Single or a Single; this model's is {scoreType}.");
    return scored.Schema.GetColumnOrNull("Probability") is null
        ? ScoreScalars(mlContext, model, scored, definition, rows, makeRow)
        : ScoreBinary(mlContext, model, scored, definition, rows, makeRow);
}

static (float[][] Batch, float[][] Engine) ScoreVectors<TInput, TRow>(MLContext mlContext, ITransformer model, IDataView scored,
    SchemaDefinition definition, IReadOnlyList<TInput> rows, Func<TInput, TRow> makeRow)
    where TRow : class, new()
{
    Console.WriteLine("ScoreColumns: Score");
    var batch = new List<float[]>();
    using (DataViewRowCursor cursor = scored.GetRowCursor(new[] { scored.Schema["Score"] }))
    {
        ValueGetter<VBuffer<float>> getScore = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
        VBuffer<float> score = default;
        while (cursor.MoveNext())
        {
            getScore(ref score);
            batch.Add(score.DenseValues().ToArray());
        }
    }

    using PredictionEngine<TRow, ScoreRow> engine = mlContext.Model.CreatePredictionEngine<TRow, ScoreRow>(model, inputSchemaDefinition: definition);
    float[][] single = rows.Select(f => (float[])engine.Predict(makeRow(f)).Score.Clone()).ToArray();
    return (batch.ToArray(), single);
}

// A scalar Score and nothing else the loader knows of: a regression.
static (float[][] Batch, float[][] Engine) ScoreScalars<TInput, TRow>(MLContext mlContext, ITransformer model, IDataView scored,
    SchemaDefinition definition, IReadOnlyList<TInput> rows, Func<TInput, TRow> makeRow)
    where TRow : class, new()
{
    Console.WriteLine("ScoreColumns: Score");
    var batch = new List<float[]>();
    using (DataViewRowCursor cursor = scored.GetRowCursor(new[] { scored.Schema["Score"] }))
    {
        ValueGetter<float> getScore = cursor.GetGetter<float>(scored.Schema["Score"]);
        float score = 0;
        while (cursor.MoveNext())
        {
            getScore(ref score);
            batch.Add(new[] { score });
        }
    }

    using PredictionEngine<TRow, ScalarScoreRow> engine = mlContext.Model.CreatePredictionEngine<TRow, ScalarScoreRow>(model, inputSchemaDefinition: definition);
    float[][] single = rows.Select(f => new[] { engine.Predict(makeRow(f)).Score }).ToArray();
    return (batch.ToArray(), single);
}

// A scalar Score with Probability and PredictedLabel: a binary classifier. PredictedLabel is written as 1 or 0.
static (float[][] Batch, float[][] Engine) ScoreBinary<TInput, TRow>(MLContext mlContext, ITransformer model, IDataView scored,
    SchemaDefinition definition, IReadOnlyList<TInput> rows, Func<TInput, TRow> makeRow)
    where TRow : class, new()
{
    Console.WriteLine("ScoreColumns: Score, Probability, PredictedLabel");
    DataViewSchema.Column scoreColumn = scored.Schema["Score"], probabilityColumn = scored.Schema["Probability"];
    DataViewSchema.Column predictedColumn = scored.Schema.GetColumnOrNull("PredictedLabel")
        ?? throw new NotSupportedException("A model with a Probability column must also have a PredictedLabel column.");
    if (probabilityColumn.Type != NumberDataViewType.Single || predictedColumn.Type != BooleanDataViewType.Instance)
        throw new NotSupportedException($"Expected a Single Probability and a Boolean PredictedLabel; got {probabilityColumn.Type} and {predictedColumn.Type}.");

    var batch = new List<float[]>();
    using (DataViewRowCursor cursor = scored.GetRowCursor(new[] { scoreColumn, probabilityColumn, predictedColumn }))
    {
        ValueGetter<float> getScore = cursor.GetGetter<float>(scoreColumn), getProbability = cursor.GetGetter<float>(probabilityColumn);
        ValueGetter<bool> getPredicted = cursor.GetGetter<bool>(predictedColumn);
        float score = 0, probability = 0;
        bool predicted = false;
        while (cursor.MoveNext())
        {
            getScore(ref score);
            getProbability(ref probability);
            getPredicted(ref predicted);
            batch.Add(new[] { score, probability, predicted ? 1f : 0f });
        }
    }

    using PredictionEngine<TRow, BinaryScoreRow> engine = mlContext.Model.CreatePredictionEngine<TRow, BinaryScoreRow>(model, inputSchemaDefinition: definition);
    float[][] single = rows.Select(f =>
    {
        BinaryScoreRow p = engine.Predict(makeRow(f));
        return new[] { p.Score, p.Probability, p.PredictedLabel ? 1f : 0f };
    }).ToArray();
    return (batch.ToArray(), single);
}

// After loading, by reflection only: which transformers came back, and what the MLP's model reports.
static void Describe(ITransformer model)
{
    IEnumerable<object> transformers = model is IEnumerable chain ? chain.Cast<object>() : new object[] { model };
    Console.WriteLine("Transformers: " + string.Join(", ", transformers.Select(t => TypeName(t.GetType()))));
    foreach (object transformer in transformers)
    {
        object? inner = transformer.GetType().GetProperty("Model", BindingFlags.Public | BindingFlags.Instance)?.GetValue(transformer);
        if (inner?.GetType().Assembly.GetName().Name != MlpAssemblyName)
            continue;
        var sizes = (IEnumerable<int>?)inner.GetType().GetProperty("LayerSizes")?.GetValue(inner);
        Console.WriteLine($"MlpModel: {inner.GetType().FullName}, LayerSizes {(sizes is null ? "?" : string.Join("-", sizes))}");
        Console.WriteLine($"MlpTrainerAssembly: {inner.GetType().Assembly.Location}");
        // Regression models have LabelScaling, a (float Mean, float StandardDeviation) tuple; other models do not.
        if (inner.GetType().GetProperty("LabelScaling")?.GetValue(inner) is ValueTuple<float, float> scaling)
            Console.WriteLine(FormattableString.Invariant($"LabelScaling: {scaling.Item1:R} {scaling.Item2:R}"));
        if (inner.GetType().GetProperty("TrainingHistory")?.GetValue(inner) is ICollection history)
            Console.WriteLine($"TrainingHistoryEpochs: {history.Count}");
    }
}

static string TypeName(Type type) => type.IsGenericType
    ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(",", type.GetGenericArguments().Select(TypeName))}>"
    : type.Name;

internal sealed class FeaturesRow
{
    public float[] Features = Array.Empty<float>();
}

internal sealed class SingleLabelRow
{
    public float Label = 0f;
    public float[] Features = Array.Empty<float>();
}

internal sealed class BooleanLabelRow
{
    public bool Label = false;
    public float[] Features = Array.Empty<float>();
}

internal sealed class StringLabelRow
{
    public string Label = "";
    public float[] Features = Array.Empty<float>();
}

internal sealed class KeyLabelRow
{
    public uint Label = 0;
    public float[] Features = Array.Empty<float>();
}

internal sealed class TextRow
{
    public bool Label = false;
    public string Text = "";
}

internal sealed class ScoreRow
{
    public float[] Score = Array.Empty<float>();
}

internal sealed class ScalarScoreRow
{
    public float Score = 0f;
}

internal sealed class BinaryScoreRow
{
    public float Score = 0f;
    public float Probability = 0f;
    public bool PredictedLabel = false;
}
