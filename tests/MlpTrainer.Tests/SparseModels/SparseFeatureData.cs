using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Model;
using static MlpTrainer.Tests.SparseModels.InputMajorNetworks;

namespace MlpTrainer.Tests.SparseModels;

/// <summary>
/// Data views for the ML.NET tests of sparse models: rows of <see cref="Width"/> features with 12 non-zeros, as a
/// sparse VBuffer column or the same rows dense, with a "Label" column for each task; rows of
/// <see cref="HashedWidth"/> hashed features; and the input-major network those tests score them with.
/// </summary>
internal static class SparseFeatureData
{
    public const int Width = 1000;
    public const int HashedWidth = 1 << 20;
    private static readonly string[] Classes = { "red", "green", "blue" };

    /// <summary>The tasks by name (MlpTask is internal, so theory data carries its name).</summary>
    public static TheoryData<string> TaskNames => new() { nameof(MlpTask.Multiclass), nameof(MlpTask.Binary), nameof(MlpTask.Regression) };

    /// <summary>A row whose features ML.NET holds sparse: only the non-zeros are stored.</summary>
    public sealed class SparseRow
    {
        public string ClassLabel { get; set; } = "";

        public bool BinaryLabel { get; set; }

        public float Value { get; set; }

        [VectorType(Width)]
        public VBuffer<float> Features { get; set; }
    }

    /// <summary>The same row with every feature stored.</summary>
    public sealed class DenseRow
    {
        public string ClassLabel { get; set; } = "";

        public bool BinaryLabel { get; set; }

        public float Value { get; set; }

        [VectorType(Width)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    /// <summary>A row of hashed features, as OneHotHashEncoding makes them: a few ones in a very wide vector.</summary>
    public sealed class HashedRow
    {
        [VectorType(HashedWidth)]
        public VBuffer<float> Features { get; set; }

        public float Label { get; set; }
    }

    /// <summary><paramref name="count"/> dense feature rows of <see cref="Width"/>, each with 12 random non-zeros.</summary>
    public static float[][] FeatureRows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => SparseRow(random, Width, 12)).ToArray();
    }

    /// <summary>The rows as a sparse Features column, with the task's "Label".</summary>
    public static IDataView SparseView(MLContext ml, float[][] features, MlpTask task) => WithLabel(ml, ml.Data.LoadFromEnumerable(features.Select((f, i) =>
    {
        (int[] indices, float[] values) = NonZeros(f);
        return new SparseRow
        {
            ClassLabel = Classes[i % 3], BinaryLabel = i % 2 == 0, Value = i,
            Features = new VBuffer<float>(Width, indices.Length, values, indices),
        };
    }).ToList()), task);

    /// <summary>The same rows as a dense Features column, with the task's "Label".</summary>
    public static IDataView DenseView(MLContext ml, float[][] features, MlpTask task) => WithLabel(ml, ml.Data.LoadFromEnumerable(
        features.Select((f, i) => new DenseRow { ClassLabel = Classes[i % 3], BinaryLabel = i % 2 == 0, Value = i, Features = f }).ToList()), task);

    /// <summary><paramref name="count"/> hashed rows of 14 ones each, with a Single "Label".</summary>
    public static IDataView HashedView(MLContext ml, int count, int seed)
    {
        var random = new Random(seed);
        return ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i =>
        {
            int[] indices = Enumerable.Range(0, 14).Select(_ => random.Next(HashedWidth)).Distinct().Order().ToArray();
            return new HashedRow { Label = i, Features = new VBuffer<float>(HashedWidth, indices.Length, indices.Select(_ => 1f).ToArray(), indices) };
        }).ToList());
    }

    /// <summary>An input-major <see cref="Width"/>-16-outputs ReLU network for the task (regression with a label scaling).</summary>
    public static MlpNetwork Network(MlpTask task, int seed = 41)
        => Create(new[] { Width, 16, task == MlpTask.Multiclass ? 3 : 1 }, task, MlpActivation.ReLU, seed,
            outputScale: task == MlpTask.Regression ? 4f : 1f, outputOffset: task == MlpTask.Regression ? 10f : 0f);

    /// <summary>
    /// The data with the task's label in the "Label" column (multiclass: the class names mapped to keys), so that its
    /// schema is one an MLP transformer of the task binds to.
    /// </summary>
    private static IDataView WithLabel(MLContext ml, IDataView data, MlpTask task) => task switch
    {
        MlpTask.Multiclass => ml.Transforms.Conversion.MapValueToKey("Label", "ClassLabel").Fit(data).Transform(data),
        MlpTask.Binary => ml.Transforms.CopyColumns("Label", "BinaryLabel").Fit(data).Transform(data),
        _ => ml.Transforms.CopyColumns("Label", "Value").Fit(data).Transform(data),
    };
}
