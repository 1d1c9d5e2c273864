using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Tests.Learning;

namespace MlpTrainer.Tests.Pipeline;

/// <summary>
/// The trainer inside ordinary ML.NET pipelines: string labels through MapValueToKey, min-max normalized
/// features, evaluation, MapKeyToValue, PredictionEngine, permutation feature importance, cross-validation and
/// the text loader.
/// </summary>
public class MlNetPipelineTests
{
    private static readonly string[] Names = { "a", "b", "c" };

    private sealed class Row
    {
        public string Label { get; set; } = "";

        [VectorType(3)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class CsvRow
    {
        [LoadColumn(0)]
        public string Label { get; set; } = "";

        [LoadColumn(1, 3), VectorType(3)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class Prediction
    {
        public string PredictedLabel { get; set; } = "";

        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private sealed class ScoredRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public float[] Score { get; set; } = Array.Empty<float>();
    }

    /// <summary>Three blobs in the first two features (on a scale of tens, so normalizing matters); the third is noise.</summary>
    private static List<Row> Rows(int count = 300, int seed = 8)
    {
        Datasets.Set set = Datasets.Blobs(count, seed);
        return set.Features.Select((f, i) => new Row { Label = Names[set.Labels[i]], Features = new[] { 10 * f[0], 10 * f[1], 10 * f[2] } }).ToList();
    }

    private static IEstimator<ITransformer> Preprocessing(MLContext ml)
        => ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.NormalizeMinMax("Features"));

    private static MlpEstimator Trainer(MLContext ml, int seed = 1)
        => ml.MulticlassClassification.Trainers.Mlp(hiddenLayerSizes: new[] { 8 }, learningRate: 0.02f, batchSize: 32, numberOfEpochs: 30,
            l2Regularization: 1e-4f, seed: seed); // the L2 default before issue 15: these tests are about the pipeline

    [Fact]
    public void EvaluateOnTheCatalogTrainersOutputGivesSaneMetrics()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows());
        ITransformer model = Preprocessing(ml).Append(Trainer(ml)).Fit(data);

        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));

        Assert.InRange(metrics.MicroAccuracy, 0.9, 1.0);
        Assert.InRange(metrics.MacroAccuracy, 0.9, 1.0);
        Assert.InRange(metrics.LogLoss, 0.0, 0.5 * Math.Log(3)); // far better than the uniform guess
        Assert.InRange(metrics.LogLossReduction, 0.5, 1.0);
        Assert.Equal(3, metrics.PerClassLogLoss.Count);
        Assert.All(metrics.PerClassLogLoss, l => Assert.True(l >= 0 && double.IsFinite(l)));
        Assert.Equal(3, metrics.ConfusionMatrix.NumberOfClasses);
        Assert.Equal(300, metrics.ConfusionMatrix.Counts.Sum(row => row.Sum()));
    }

    [Fact]
    public void MapKeyToValueRestoresTheOriginalStringLabels()
    {
        var ml = new MLContext(seed: 1);
        List<Row> rows = Rows();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        ITransformer model = Preprocessing(ml).Append(Trainer(ml))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(data);

        IDataView scored = model.Transform(data);
        List<Prediction> predictions = ml.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false).ToList();

        Assert.Equal(TextDataViewType.Instance, scored.Schema["PredictedLabel"].Type);
        Assert.All(predictions, p => Assert.Contains(p.PredictedLabel, Names));
        double agreement = predictions.Zip(rows, (p, r) => p.PredictedLabel == r.Label ? 1.0 : 0.0).Average();
        Assert.True(agreement > 0.9, $"only {agreement:P1} of predictions equal the original label");
    }

    [Fact]
    public void PredictionEngineGivesTheSamePredictionAsTransform()
    {
        var ml = new MLContext(seed: 1);
        List<Row> rows = Rows(60);
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        ITransformer model = Preprocessing(ml).Append(Trainer(ml))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(data);
        List<Prediction> batch = ml.Data.CreateEnumerable<Prediction>(model.Transform(data), reuseRowObject: false).ToList();

        PredictionEngine<Row, Prediction> engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model);

        for (int i = 0; i < rows.Count; i++)
        {
            Prediction single = engine.Predict(rows[i]);
            Assert.Equal(batch[i].PredictedLabel, single.PredictedLabel);
            Assert.Equal(batch[i].Score, single.Score);
        }
    }

    [Fact]
    public void ScoreColumnHoldsTheNetworksClassProbabilities()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows(60));
        IDataView prepared = Preprocessing(ml).Fit(data).Transform(data);
        MulticlassPredictionTransformer<MlpModelParameters> predictor = Trainer(ml).Fit(prepared);

        foreach (ScoredRow row in ml.Data.CreateEnumerable<ScoredRow>(predictor.Transform(prepared), reuseRowObject: false))
        {
            Assert.Equal(3, row.Score.Length);
            Assert.All(row.Score, p => Assert.InRange(p, 0f, 1f));
            Assert.Equal(1.0, row.Score.Sum(p => (double)p), 1e-5);
            Assert.Equal(predictor.Model.Predict(row.Features), row.Score);
        }
    }

    [Fact]
    public void PermutationFeatureImportanceRanksAnInformativeFeatureAboveNoise()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows());
        IDataView prepared = Preprocessing(ml).Fit(data).Transform(data);
        MulticlassPredictionTransformer<MlpModelParameters> predictor = Trainer(ml).Fit(prepared);

        var importance = ml.MulticlassClassification.PermutationFeatureImportance(predictor, prepared, permutationCount: 3);

        Assert.Equal(3, importance.Length);
        // Metrics are the change when the feature is shuffled: accuracy drops, log-loss rises for a useful feature.
        double informative = importance[0].MicroAccuracy.Mean, noise = importance[2].MicroAccuracy.Mean;
        Assert.True(informative < noise - 0.1, $"accuracy change: informative feature {informative:F3}, noise feature {noise:F3}");
        Assert.True(importance[0].LogLoss.Mean > importance[2].LogLoss.Mean,
            $"log-loss change: informative {importance[0].LogLoss.Mean:F3}, noise {importance[2].LogLoss.Mean:F3}");
    }

    [Fact]
    public void CrossValidateWithThreeFoldsReturnsThreeTrainedResults()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows());

        var results = ml.MulticlassClassification.CrossValidate(data, Preprocessing(ml).Append(Trainer(ml)), numberOfFolds: 3);

        Assert.Equal(3, results.Count);
        Assert.Equal(new[] { 0, 1, 2 }, results.Select(r => r.Fold).OrderBy(f => f));
        Assert.All(results, r =>
        {
            Assert.NotNull(r.Model);
            Assert.InRange(r.Metrics.MicroAccuracy, 0.85, 1.0);
        });
        Assert.Equal(300, results.Sum(r => r.Metrics.ConfusionMatrix.Counts.Sum(row => row.Sum())));
    }

    [Fact]
    public void TextLoaderDataTrainsTheSameModelAsTheSameRowsFromEnumerable()
    {
        List<Row> rows = Rows(90);
        string path = Path.Combine(Path.GetTempPath(), $"mlp-text-loader-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllLines(path, new[] { "Label,F1,F2,F3" }.Concat(rows.Select(r =>
                r.Label + "," + string.Join(",", r.Features.Select(f => f.ToString("R", CultureInfo.InvariantCulture))))));

            var ml = new MLContext(seed: 1);
            IDataView fromText = ml.Data.LoadFromTextFile<CsvRow>(path, separatorChar: ',', hasHeader: true);
            var fromTextModel = Preprocessing(ml).Append(Trainer(ml)).Fit(fromText);
            var fromEnumerableModel = Preprocessing(ml).Append(Trainer(ml)).Fit(ml.Data.LoadFromEnumerable(rows));

            Assert.Equal(90, ml.Data.CreateEnumerable<CsvRow>(fromText, reuseRowObject: false).Count());
            MlpModelParameters a = fromTextModel.LastTransformer.Model, b = fromEnumerableModel.LastTransformer.Model;
            for (int layer = 0; layer < a.LayerCount; layer++)
            {
                Assert.Equal(b.GetWeights(layer).ToArray(), a.GetWeights(layer).ToArray());
                Assert.Equal(b.GetBiases(layer).ToArray(), a.GetBiases(layer).ToArray());
            }
            var metrics = ml.MulticlassClassification.Evaluate(fromTextModel.Transform(fromText));
            Assert.True(metrics.MicroAccuracy > 0.9, $"accuracy {metrics.MicroAccuracy:F3}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CatalogOverloadAndConstructorWithTheSameOptionsTrainTheSameModel()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows(60));
        IDataView prepared = Preprocessing(ml).Fit(data).Transform(data);
        MlpEstimator fromCatalog = Trainer(ml, seed: 3);
        var options = new MlpOptions { HiddenLayerSizes = new[] { 8 }, LearningRate = 0.02f, BatchSize = 32, NumberOfEpochs = 30, L2Regularization = 1e-4f, Seed = 3 };

        MlpModelParameters a = fromCatalog.Fit(prepared).Model;
        MlpModelParameters b = new MlpEstimator(ml, options).Fit(prepared).Model;
        MlpModelParameters c = ml.MulticlassClassification.Trainers.Mlp(options).Fit(prepared).Model;

        Assert.Equal(new[] { 3, 8, 3 }, a.LayerSizes);
        for (int layer = 0; layer < a.LayerCount; layer++)
        {
            Assert.Equal(a.GetWeights(layer).ToArray(), b.GetWeights(layer).ToArray());
            Assert.Equal(a.GetWeights(layer).ToArray(), c.GetWeights(layer).ToArray());
        }
    }
}
