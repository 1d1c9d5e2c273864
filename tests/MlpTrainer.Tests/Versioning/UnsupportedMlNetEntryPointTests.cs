using Microsoft.ML;
using MlpTrainer.Tests.Persistence;

namespace MlpTrainer.Tests.Versioning;

/// <summary>
/// With an unsupported ML.NET, every way into MlpTrainer stops with the check's message before touching an ML.NET
/// internal. The mismatch is simulated (<see cref="MlNetVersionCheck.Simulate"/>) for the whole process, so these tests
/// run alone, outside the parallel test collections.
/// </summary>
[Collection(nameof(UnsupportedMlNetSimulation))]
public sealed class UnsupportedMlNetEntryPointTests
{
    private static readonly (string, string?)[] LaterMlNet =
    {
        ("Microsoft.ML.Core", "5.1.0+0a1b2c"), ("Microsoft.ML.Data", "5.1.0+0a1b2c"), ("Microsoft.ML.StandardTrainers", "5.1.0+0a1b2c"),
    };

    private readonly MLContext _ml = new(seed: 0);

    [Fact]
    public void The_multiclass_estimator_refuses_to_be_created()
        => AssertRefused(() => new MlpEstimator(_ml, new MlpOptions()));

    [Fact]
    public void The_binary_estimator_refuses_to_be_created()
        => AssertRefused(() => new MlpBinaryEstimator(_ml, new MlpOptions()));

    [Fact]
    public void The_regression_estimator_refuses_to_be_created()
        => AssertRefused(() => new MlpRegressionEstimator(_ml, new MlpOptions()));

    [Fact]
    public void The_catalog_methods_refuse_to_create_trainers()
    {
        AssertRefused(() => _ml.MulticlassClassification.Trainers.Mlp());
        AssertRefused(() => _ml.BinaryClassification.Trainers.Mlp(new MlpOptions()));
        AssertRefused(() => _ml.Regression.Trainers.Mlp(normalizeLabel: true));
    }

    [Fact]
    public void A_saved_model_refuses_to_load()
        => AssertRefused(() => _ml.Model.Load(FormatFixtureTests.FixturePath, out _));

    [Fact]
    public void Onnx_export_refuses_to_start()
    {
        ITransformer model = _ml.Model.Load(FormatFixtureTests.FixturePath, out DataViewSchema schema);

        AssertRefused(() => _ml.Model.ExportMlpToOnnx(model, schema, new MemoryStream()));
    }

    /// <summary>Runs <paramref name="entry"/> with a later ML.NET simulated; its exception, or one it wraps, is the check's.</summary>
    private static void AssertRefused(Action entry)
    {
        Exception thrown;
        using (MlNetVersionCheck.Simulate(LaterMlNet))
            thrown = Assert.ThrowsAny<Exception>(entry);

        Exception? e = thrown;
        while (e is not null and not InvalidOperationException)
            e = e.InnerException;
        Assert.True(e is InvalidOperationException, $"Expected the version check's InvalidOperationException, got: {thrown}");
        Assert.Contains($"supports ML.NET {MlNetVersionCheck.Range}", e!.Message);
        Assert.Contains("Microsoft.ML.Data 5.1.0", e.Message);
    }
}
