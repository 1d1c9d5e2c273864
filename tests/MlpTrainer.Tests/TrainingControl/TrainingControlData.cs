using System.Runtime.InteropServices;
using Microsoft.ML;
using MlpTrainer.Tests.Learning;

namespace MlpTrainer.Tests.TrainingControl;

/// <summary>Data, options and small references shared by the training-control tests.</summary>
internal static class TrainingControlData
{
    /// <summary>
    /// A tiny, noisy training set (24 blob points, every third label replaced by another class) and a clean validation
    /// set of 300 points from the same blobs: a wide net with a high learning rate memorises the wrong labels and its
    /// validation loss climbs after a few epochs.
    /// </summary>
    public static (Datasets.Set Train, Datasets.Set Validation) Overfitting()
    {
        Datasets.Set clean = Datasets.Blobs(24, seed: 31);
        int[] noisy = clean.Labels.Select((y, i) => i % 3 == 1 ? (y + 1 + i % 2) % 3 : y).ToArray();
        return (clean with { Labels = noisy }, Datasets.Blobs(300, seed: 32));
    }

    /// <summary>Options that overfit <see cref="Overfitting"/> within a few epochs.</summary>
    public static MlpOptions OverfittingOptions() => new()
    {
        HiddenLayerSizes = new[] { 128, 128 },
        Activation = MlpActivation.ReLU,
        LearningRate = 0.02f,
        BatchSize = 4,
        NumberOfEpochs = 200,
        L2Regularization = 0f,
        Seed = 3,
        NumberOfThreads = 1,
    };

    /// <summary>Small, quick options for an easy problem (three blobs).</summary>
    public static MlpOptions Quick(int epochs = 5) => new()
    {
        HiddenLayerSizes = new[] { 8 },
        Activation = MlpActivation.Tanh,
        LearningRate = 0.02f,
        BatchSize = 16,
        NumberOfEpochs = epochs,
        Seed = 7,
        NumberOfThreads = 1,
    };

    public static IDataView View(MLContext ml, Datasets.Set set) => Datasets.ToDataView(ml, set);

    /// <summary>The model's whole parameter vector (weights then biases, layer by layer).</summary>
    public static float[] Parameters(MlpModelParameters model) => model.Network.Parameters.ToArray();

    public static bool BitIdentical(float[] a, float[] b)
        => MemoryMarshal.AsBytes(a.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(b.AsSpan()));

    /// <summary>The mean cross-entropy and accuracy of <paramref name="model"/> on <paramref name="set"/>, scored with <see cref="MlpModelParameters.Predict"/>.</summary>
    public static (double Loss, double Accuracy) Evaluate(MlpModelParameters model, Datasets.Set set)
    {
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < set.Count; i++)
        {
            float[] p = model.Predict(set.Features[i]);
            loss -= Math.Log(p[set.Labels[i]]);
            int best = 0;
            for (int c = 1; c < p.Length; c++)
            {
                if (p[c] > p[best])
                    best = c;
            }
            if (best == set.Labels[i])
                correct++;
        }
        return (loss / set.Count, (double)correct / set.Count);
    }

    /// <summary>
    /// The documented early-stopping rule applied to a sequence of per-epoch values (lower is better): the epoch (from 1) at
    /// which <paramref name="patience"/> epochs in a row have not beaten the best by more than <paramref name="tolerance"/>,
    /// or null if that never happens.
    /// </summary>
    public static int? StopEpoch(IReadOnlyList<double> values, int patience, double tolerance)
    {
        double best = double.PositiveInfinity;
        int wait = 0;
        for (int i = 0; i < values.Count; i++)
        {
            if (i == 0 || values[i] < best - tolerance)
            {
                best = values[i];
                wait = 0;
            }
            else if (++wait >= patience)
            {
                return i + 1;
            }
        }
        return null;
    }

    /// <summary>The epoch (from 1) with the best value under the same rule: the last epoch that improved by more than the tolerance.</summary>
    public static int BestEpoch(IReadOnlyList<double> values, double tolerance)
    {
        double best = double.PositiveInfinity;
        int at = 0;
        for (int i = 0; i < values.Count; i++)
        {
            if (i == 0 || values[i] < best - tolerance)
            {
                best = values[i];
                at = i + 1;
            }
        }
        return at;
    }

    /// <summary>A plain double-precision forward pass with softmax: what scoring must compute (no dropout).</summary>
    public static double[] Forward(MlpModelParameters model, float[] features)
    {
        IReadOnlyList<int> sizes = model.LayerSizes;
        double[] current = features.Select(v => (double)v).ToArray();
        for (int l = 0; l < model.LayerCount; l++)
        {
            float[] w = model.GetWeights(l).ToArray(), b = model.GetBiases(l).ToArray();
            int fanIn = sizes[l], fanOut = sizes[l + 1];
            var next = new double[fanOut];
            for (int o = 0; o < fanOut; o++)
            {
                double z = b[o];
                for (int i = 0; i < fanIn; i++)
                    z += (double)w[o * fanIn + i] * current[i];
                next[o] = l == model.LayerCount - 1 ? z : Activate(model.HiddenActivation, z, model.LeakyReLUSlope);
            }
            current = next;
        }
        double max = current.Max();
        double[] e = current.Select(z => Math.Exp(z - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    private static double Activate(MlpActivation activation, double z, double slope) => activation switch
    {
        MlpActivation.Identity => z,
        MlpActivation.Sigmoid => 1 / (1 + Math.Exp(-z)),
        MlpActivation.Tanh => Math.Tanh(z),
        MlpActivation.ReLU => Math.Max(0, z),
        MlpActivation.LeakyReLU => z > 0 ? z : slope * z,
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };
}

/// <summary>An <see cref="IProgress{T}"/> that records reports on the training thread, as they happen (unlike <see cref="Progress{T}"/>, which posts them).</summary>
internal sealed class RecordingProgress : IProgress<MlpEpochReport>
{
    private readonly Action<MlpEpochReport>? _also;
    private readonly List<MlpEpochReport> _reports = new();

    public RecordingProgress(Action<MlpEpochReport>? also = null) => _also = also;

    public IReadOnlyList<MlpEpochReport> Reports
    {
        get
        {
            lock (_reports)
                return _reports.ToArray();
        }
    }

    public int ThreadId { get; private set; }

    public void Report(MlpEpochReport value)
    {
        lock (_reports)
            _reports.Add(value);
        ThreadId = Environment.CurrentManagedThreadId;
        _also?.Invoke(value);
    }
}

/// <summary>A fresh folder under the temp directory, deleted afterwards.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public ScratchFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlp-training-control-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public string[] TemporaryFiles(string? directory = null)
        => Directory.Exists(directory ?? Path)
            ? Directory.GetFiles(directory ?? Path, "*.tmp", SearchOption.AllDirectories)
            : Array.Empty<string>();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Still open by a failed test or a dying child; the OS cleans the temp folder eventually.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
