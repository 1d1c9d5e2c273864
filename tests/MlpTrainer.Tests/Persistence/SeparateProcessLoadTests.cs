using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Microsoft.ML;

namespace MlpTrainer.Tests.Persistence;

/// <summary>
/// Saves the trained models and runs tests/MlpTrainer.ModelLoader on them, once per model: a separate process whose
/// MLContext never touched MlpTrainer's types and which never calls ComponentCatalog.RegisterAssembly.
/// </summary>
public sealed class SeparateProcessRuns : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly Lazy<ModelLoaderProcess.Result> _pipeline, _mlpAlone, _damaged;

    public SeparateProcessRuns()
    {
        TrainedPipeline trained = PersistenceData.Pipeline;
        _pipeline = new(() =>
        {
            string path = _temp.File("pipeline.zip");
            new MLContext().Model.Save(trained.Model, trained.TrainingData.Schema, path);
            return ModelLoaderProcess.Run(path, PersistenceData.ProbeFeatures, _temp.Path);
        });
        _mlpAlone = new(() =>
        {
            string path = _temp.File("mlp-alone.zip");
            new MLContext().Model.Save(trained.Mlp, trained.PreparedTrainingData.Schema, path);
            return ModelLoaderProcess.Run(path, PersistenceData.FeatureColumn(trained.PreparedProbes), _temp.Path);
        });
        _damaged = new(() =>
        {
            string path = _temp.File("pipeline-for-damage.zip"), damaged = _temp.File("damaged.zip");
            new MLContext().Model.Save(trained.Model, trained.TrainingData.Schema, path);
            var (entry, _, block) = ModelZip.FindMlpEntry(path);
            ModelZip.CopyReplacing(path, damaged, entry, block.WithByteFlipped(block.ParameterOffset(0)).Bytes);
            return ModelLoaderProcess.Run(damaged, PersistenceData.ProbeFeatures, _temp.Path);
        });
    }

    internal ModelLoaderProcess.Result Pipeline => _pipeline.Value;

    internal ModelLoaderProcess.Result MlpAlone => _mlpAlone.Value;

    internal ModelLoaderProcess.Result Damaged => _damaged.Value;

    public void Dispose() => _temp.Dispose();
}

public sealed class SeparateProcessLoadTests : IClassFixture<SeparateProcessRuns>
{
    private readonly SeparateProcessRuns _runs;
    private readonly TrainedPipeline _trained = PersistenceData.Pipeline;

    public SeparateProcessLoadTests(SeparateProcessRuns runs) => _runs = runs;

    [Fact]
    public void PipelineLoadedInAFreshProcessScoresBitIdentically()
    {
        ModelLoaderProcess.Result run = Succeeded(_runs.Pipeline);

        PersistenceData.AssertBitIdentical(PersistenceData.Scores(_trained.Model, _trained.Probes), run.BatchScores);
    }

    [Fact]
    public void PredictionEngineInAFreshProcessScoresThePipelineBitIdentically()
    {
        ModelLoaderProcess.Result run = Succeeded(_runs.Pipeline);

        PersistenceData.AssertBitIdentical(PersistenceData.Scores(_trained.Model, _trained.Probes), run.EngineScores);
    }

    [Fact]
    public void MlpTransformerAloneLoadedInAFreshProcessScoresBitIdenticallyWithTransformAndPredictionEngine()
    {
        ModelLoaderProcess.Result run = Succeeded(_runs.MlpAlone);

        float[][] expected = PersistenceData.Scores(_trained.Mlp, _trained.PreparedProbes);
        PersistenceData.AssertBitIdentical(expected, run.BatchScores);
        PersistenceData.AssertBitIdentical(expected, run.EngineScores);
    }

    [Fact]
    public void FreshProcessHadNotLoadedMlpTrainerBeforeModelLoad()
    {
        ModelLoaderProcess.Result run = Succeeded(_runs.Pipeline);

        Assert.Equal("False", run.Line("MlpTrainerLoadedBeforeLoad"));
    }

    [Fact]
    public void LoaderAssemblyDoesNotReferenceMlpTrainer()
    {
        using var pe = new PEReader(File.OpenRead(ModelLoaderProcess.LoaderPath));
        MetadataReader metadata = pe.GetMetadataReader();

        IEnumerable<string> references = metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name));

        Assert.Contains("Microsoft.ML.Data", references);
        Assert.DoesNotContain("MlpTrainer", references);
    }

    [Fact]
    public void FreshProcessFindsTheMlpModelParametersInTheLoadedPipeline()
    {
        ModelLoaderProcess.Result run = Succeeded(_runs.Pipeline);

        Assert.Equal("ValueToKeyMappingTransformer, NormalizingTransformer, MulticlassPredictionTransformer<MlpModelParameters>, " +
                     "KeyToValueMappingTransformer", run.Line("Transformers"));
        Assert.Equal("MlpTrainer.MlpModelParameters, LayerSizes 4-5-3", run.Line("MlpModel"));
        Assert.Equal("MlpTrainer.dll", Path.GetFileName(run.Line("MlpTrainerAssembly")));
    }

    [Fact]
    public void DamagedModelFailsInAFreshProcessWithTheChecksumMessage()
    {
        ModelLoaderProcess.Result run = _runs.Damaged;

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("System.IO.InvalidDataException: Cannot load the MlpTrainer model in 'TransformerChain/Transform_002/Model': " +
                        "its checksum does not match", run.StandardError);
        Assert.DoesNotContain("NullReferenceException", run.StandardError);
    }

    internal static ModelLoaderProcess.Result Succeeded(ModelLoaderProcess.Result run)
    {
        Assert.True(run.ExitCode == 0, "The loader failed: " + run);
        return run;
    }
}
