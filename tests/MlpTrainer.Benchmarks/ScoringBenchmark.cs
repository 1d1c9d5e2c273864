using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Samples.Data;

namespace MlpTrainer.Benchmarks;

/// <summary>Rows per second scoring the 10,000 test images through ML.NET's Transform with a trained model.</summary>
internal static class ScoringBenchmark
{
    public static int Run(int threads)
    {
        if (!Workload.EnsureInstalled())
            return 2;
        var ml = new MLContext(seed: 0);
        FashionMnist trainImages = FashionMnist.Load(train: true, maxRows: 10_000);
        FashionMnist testImages = FashionMnist.Load(train: false);
        var trainer = new MlpEstimator(ml, new MlpOptions
        {
            HiddenLayerSizes = new[] { 256, 128 }, BatchSize = 128, NumberOfEpochs = 1, Seed = 0, NumberOfThreads = threads,
        });
        IDataView train = ml.Data.Cache(ml.Transforms.Conversion.MapValueToKey("Label").Fit(trainImages.ToDataView(ml)).Transform(trainImages.ToDataView(ml)));
        var model = trainer.Fit(train);
        IDataView test = ml.Data.Cache(ml.Transforms.Conversion.MapValueToKey("Label").Fit(trainImages.ToDataView(ml)).Transform(testImages.ToDataView(ml)));
        Consume(model.Transform(test)); // warm-up and fill the cache

        var seconds = new List<double>();
        for (int trial = 0; trial < 5; trial++)
        {
            long start = Stopwatch.GetTimestamp();
            Consume(model.Transform(test));
            seconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        double best = seconds.Min();
        Console.WriteLine($"Transform + cursor over Score: {testImages.Count / best:F0} rows/s (best of 5, {testImages.Count} rows, 784-256-128-10)");

        // The batched path: all test rows at once through the blocked matrix kernels.
        var features = new float[testImages.Count * FashionMnist.ImageSize];
        for (int i = 0; i < testImages.Count; i++)
            testImages.Image(i).CopyTo(features, i * FashionMnist.ImageSize);
        var outputs = new float[testImages.Count * 10];
        model.Model.PredictBatch(features, outputs, threads);
        double batchBest = double.MaxValue;
        for (int trial = 0; trial < 5; trial++)
        {
            long start = Stopwatch.GetTimestamp();
            model.Model.PredictBatch(features, outputs, threads);
            batchBest = Math.Min(batchBest, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        Console.WriteLine($"PredictBatch ({threads} threads):        {testImages.Count / batchBest:F0} rows/s (best of 5)");
        return 0;
    }

    private static void Consume(IDataView scored)
    {
        DataViewSchema.Column score = scored.Schema["Score"];
        using DataViewRowCursor cursor = scored.GetRowCursor(new[] { score });
        ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(score);
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
            getter(ref buffer);
    }
}
