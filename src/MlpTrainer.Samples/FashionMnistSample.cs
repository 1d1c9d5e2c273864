using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Samples.Data;

namespace MlpTrainer.Samples;

/// <summary>
/// The recommended recipe on real Fashion-MNIST: raw pixels, min-max normalization, a 784-256-128-10 ReLU
/// network trained with Adam, evaluated by ML.NET's multiclass evaluator on the 10,000 test images.
/// </summary>
public static class FashionMnistSample
{
    public static int Run(int trainRows, int epochs, int seed, TextWriter output)
    {
        if (!FashionMnist.IsInstalled())
        {
            output.WriteLine($"Fashion-MNIST is not installed in {FashionMnist.DefaultDirectory}: run 'apt-get install dataset-fashion-mnist'.");
            return 2;
        }

        var ml = new MLContext(seed: seed);
        FashionMnist trainSet = FashionMnist.Load(train: true, maxRows: trainRows);
        FashionMnist testSet = FashionMnist.Load(train: false);
        output.WriteLine($"Fashion-MNIST: {trainSet.Count} training and {testSet.Count} test images.");

        var options = new MlpOptions
        {
            HiddenLayerSizes = new[] { 256, 128 },
            Activation = MlpActivation.ReLU,
            Optimizer = MlpOptimizer.Adam,
            LearningRate = 0.001f,
            BatchSize = 128,
            NumberOfEpochs = epochs,
            L2Regularization = 1e-4f,
            Seed = seed,
        };
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(new MlpEstimator(ml, options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", "PredictedLabel"));

        var watch = Stopwatch.StartNew();
        var model = pipeline.Fit(trainSet.ToDataView(ml));
        output.WriteLine($"Trained {epochs} epochs in {watch.Elapsed.TotalSeconds:F1} s.");

        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(model.Transform(testSet.ToDataView(ml)));
        output.WriteLine($"Test micro-accuracy {metrics.MicroAccuracy:F4}, macro-accuracy {metrics.MacroAccuracy:F4}, log-loss {metrics.LogLoss:F4}.");

        output.WriteLine($"Weights fingerprint: {Fingerprint(FindMlp(model))}");
        return 0;
    }

    private static MlpModelParameters FindMlp(ITransformer model)
        => ((IEnumerable<ITransformer>)model).OfType<MulticlassPredictionTransformer<MlpModelParameters>>().Single().Model;

    /// <summary>A hash of every weight's bits: equal fingerprints mean bit-identical models.</summary>
    private static string Fingerprint(MlpModelParameters model)
    {
        var hash = new System.IO.Hashing.XxHash64();
        for (int layer = 0; layer < model.LayerCount; layer++)
        {
            hash.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes(model.GetWeights(layer).Span));
            hash.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes(model.GetBiases(layer).Span));
        }
        return Convert.ToHexString(hash.GetCurrentHash());
    }
}
