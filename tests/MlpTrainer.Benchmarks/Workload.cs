using MlpTrainer.Data;
using MlpTrainer.Model;
using MlpTrainer.Samples.Data;

namespace MlpTrainer.Benchmarks;

/// <summary>The standard workload: Fashion-MNIST scaled to [0, 1] and the 784-256-128-10 ReLU network.</summary>
internal static class Workload
{
    public static readonly int[] Sizes = { 784, 256, 128, 10 };

    public static bool EnsureInstalled()
    {
        if (FashionMnist.IsInstalled())
            return true;
        Console.Error.WriteLine($"Fashion-MNIST is not installed in {FashionMnist.DefaultDirectory}: run 'apt-get install dataset-fashion-mnist'.");
        return false;
    }

    public static DenseDataset Scaled(FashionMnist images)
    {
        var dataset = new DenseDataset(FashionMnist.ImageSize, 10);
        var row = new float[FashionMnist.ImageSize];
        for (int i = 0; i < images.Count; i++)
        {
            ReadOnlySpan<byte> pixels = images.Pixels.AsSpan(i * FashionMnist.ImageSize, FashionMnist.ImageSize);
            for (int j = 0; j < row.Length; j++)
                row[j] = pixels[j] / 255f;
            dataset.Add(row, images.Labels[i]);
        }
        return dataset;
    }

    /// <summary>Multiply-adds × 2 of one training epoch: forward, weight gradients, and input gradients below the first layer.</summary>
    public static double FlopsPerEpoch(NetworkLayout layout, int rows)
    {
        double forward = 0, inputGradients = 0;
        for (int l = 0; l < layout.LayerCount; l++)
        {
            double products = (double)layout.InputsOf(l) * layout.OutputsOf(l);
            forward += products;
            if (l > 0)
                inputGradients += products;
        }
        return 2.0 * rows * (forward + forward + inputGradients);
    }

    public static double Accuracy(MlpNetwork network, DenseDataset test)
    {
        var probabilities = new float[network.Layout.OutputSize];
        var scratch = network.CreateScratch();
        int correct = 0;
        for (int i = 0; i < test.RowCount; i++)
        {
            network.Predict(test.Row(i), probabilities, scratch);
            if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(probabilities) == test.Label(i))
                correct++;
        }
        return (double)correct / test.RowCount;
    }
}
