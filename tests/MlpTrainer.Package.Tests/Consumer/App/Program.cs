// The consumer app of ConsumerAppTests, built against the MlpTrainer package in a fresh console project.
//   train <folder>: trains a pipeline on generated data, evaluates it, saves it to <folder>/model.zip, prints the probes' scores
//   score <folder>: loads <folder>/model.zip with a fresh MLContext (a new process) and prints the same probes' scores
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer;

if (args.Length != 2 || args[0] is not ("train" or "score"))
{
    Console.Error.WriteLine("usage: train|score <folder>");
    return 2;
}
string modelPath = Path.Combine(args[1], "model.zip");
Sample[] probes = { new() { Features = new[] { 0.2f, 0.1f } }, new() { Features = new[] { 1.9f, -0.3f } }, new() { Features = new[] { -2.2f, 2.0f } } };

if (args[0] == "train")
{
    var ml = new MLContext(seed: 1);
    var random = new Random(7);
    Sample[] rows = Enumerable.Range(0, 900).Select(i =>
    {
        int ring = i % 3;
        double angle = random.NextDouble() * 2 * Math.PI, radius = ring * 1.4 + 0.8 * random.NextDouble();
        return new Sample { Label = "ring" + ring, Features = new[] { (float)(radius * Math.Cos(angle)), (float)(radius * Math.Sin(angle)) } };
    }).ToArray();
    DataOperationsCatalog.TrainTestData split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(rows), testFraction: 0.25, seed: 3);

    var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
        .Append(ml.Transforms.NormalizeMinMax("Features"))
        .Append(ml.MulticlassClassification.Trainers.Mlp(hiddenLayerSizes: new[] { 32, 32 }, learningRate: 0.01f, batchSize: 32, numberOfEpochs: 60, seed: 5))
        .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedRing", "PredictedLabel"));
    ITransformer model = pipeline.Fit(split.TrainSet);

    MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
    Console.WriteLine(FormattableString.Invariant($"accuracy {metrics.MicroAccuracy:F4}"));
    ml.Model.Save(model, split.TrainSet.Schema, modelPath);
    PrintProbes(ml, model);
}
else
{
    var ml = new MLContext();
    ITransformer model = ml.Model.Load(modelPath, out _);
    PrintProbes(ml, model);
}
return 0;

void PrintProbes(MLContext ml, ITransformer model)
{
    var engine = ml.Model.CreatePredictionEngine<Sample, Prediction>(model);
    foreach (Sample probe in probes)
    {
        Prediction p = engine.Predict(probe);
        Console.WriteLine($"probe {p.PredictedRing} {string.Join(' ', p.Score.Select(s => BitConverter.SingleToInt32Bits(s).ToString("X8", CultureInfo.InvariantCulture)))}");
    }
}

public sealed class Sample
{
    public string Label { get; set; } = "";

    [VectorType(2)]
    public float[] Features { get; set; } = Array.Empty<float>();
}

public sealed class Prediction
{
    public string PredictedRing { get; set; } = "";

    public float[] Score { get; set; } = Array.Empty<float>();
}
