using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Tests.Learning;
using static MlpTrainer.Tests.TrainingControl.TrainingControlData;

namespace MlpTrainer.Tests.TrainingControl;

/// <summary>The per-epoch training history: its length and numbering, its content, persistence and warm starts.</summary>
public sealed class HistoryTests : IDisposable
{
    private static readonly Datasets.Set Data = Datasets.Blobs(150, seed: 81);
    private readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void HistoryHasOneEntryPerEpochNumberedFromOne()
    {
        var ml = new MLContext(seed: 0);
        MlpModelParameters model = new MlpEstimator(ml, Quick(epochs: 7)).Fit(View(ml, Data)).Model;

        Assert.Equal(Enumerable.Range(1, 7), model.TrainingHistory.Select(e => e.Epoch));
        Assert.Equal(7, model.EpochsTrained);
        Assert.All(model.TrainingHistory, e =>
        {
            Assert.True(e.Seconds >= 0 && double.IsFinite(e.Seconds), $"epoch {e.Epoch}: {e.Seconds} s");
            Assert.Equal(0.02f, e.LearningRate);
        });
    }

    [Fact]
    public void TrainingLossFallsBroadlyOnAnEasyProblem()
    {
        var ml = new MLContext(seed: 0);
        double[] losses = new MlpEstimator(ml, Quick(epochs: 12)).Fit(View(ml, Data)).Model.TrainingHistory.Select(e => e.TrainingLoss).ToArray();

        Assert.True(losses[^1] < 0.5 * losses[0], $"training loss {losses[0]:F4} → {losses[^1]:F4}");
        Assert.True(losses.TakeLast(3).Average() < losses.Take(3).Average(), string.Join(", ", losses.Select(l => l.ToString("F4"))));
        int falls = losses.Zip(losses.Skip(1), (a, b) => b < a ? 1 : 0).Sum();
        Assert.True(falls >= 8, $"the loss fell in only {falls} of 11 epochs: {string.Join(", ", losses.Select(l => l.ToString("F4")))}");
    }

    [Fact]
    public void TrainingLossIsTheMeanCrossEntropyOfTheEpochsRows()
    {
        // A learning rate so small that the weights barely move in one epoch: the epoch's running mean loss then equals the
        // mean cross-entropy of the rows under the returned model.
        var ml = new MLContext(seed: 0);
        MlpOptions options = Quick(epochs: 1);
        options.LearningRate = 1e-7f;
        MlpModelParameters model = new MlpEstimator(ml, options).Fit(View(ml, Data)).Model;

        (double loss, _) = Evaluate(model, Data);
        Assert.Equal(loss, model.TrainingHistory[0].TrainingLoss, 1e-4 * loss);
    }

    [Fact]
    public void HistorySurvivesSaveAndLoad()
    {
        var ml = new MLContext(seed: 0);
        IDataView train = View(ml, Data);
        var transformer = new MlpEstimator(ml, Quick(epochs: 4)).Fit(train, View(ml, Datasets.Blobs(30, seed: 82)));
        string path = _scratch.Sub("model.zip");

        ml.Model.Save(transformer, train.Schema, path);
        ITransformer loaded = new MLContext(seed: 1).Model.Load(path, out _);

        MlpModelParameters model = Assert.IsType<MulticlassPredictionTransformer<MlpModelParameters>>(loaded).Model;
        Assert.Equal(4, model.TrainingHistory.Count);
        Assert.Equal(transformer.Model.TrainingHistory, model.TrainingHistory);
        Assert.Equal(4, model.EpochsTrained);
    }

    [Fact]
    public void HistoryWithoutValidationSurvivesSaveAndLoadWithNullValidationValues()
    {
        var ml = new MLContext(seed: 0);
        IDataView train = View(ml, Data);
        var transformer = new MlpEstimator(ml, Quick(epochs: 2)).Fit(train);
        string path = _scratch.Sub("model-no-validation.zip");

        ml.Model.Save(transformer, train.Schema, path);
        var loaded = (MulticlassPredictionTransformer<MlpModelParameters>)new MLContext(seed: 1).Model.Load(path, out _);

        Assert.Equal(transformer.Model.TrainingHistory, loaded.Model.TrainingHistory);
        Assert.All(loaded.Model.TrainingHistory, e => Assert.Null(e.ValidationLoss));
    }

    [Fact]
    public void WarmStartContinuesTheEpochNumbering()
    {
        var ml = new MLContext(seed: 0);
        IDataView train = View(ml, Data);
        MlpModelParameters first = new MlpEstimator(ml, Quick(epochs: 3)).Fit(train).Model;

        MlpModelParameters second = new MlpEstimator(ml, Quick(epochs: 2)).Fit(train, first).Model;

        Assert.Equal(Enumerable.Range(1, 5), second.TrainingHistory.Select(e => e.Epoch));
        Assert.Equal(first.TrainingHistory, second.TrainingHistory.Take(3));
        Assert.Equal(5, second.EpochsTrained);
        Assert.Equal(3, first.TrainingHistory.Count); // the initial model is not changed
    }

    [Fact]
    public void WarmStartStartsFromTheInitialModelsWeights()
    {
        // One more epoch at a tiny learning rate stays next to the initial model; a fresh start would not.
        var ml = new MLContext(seed: 0);
        IDataView train = View(ml, Data);
        MlpModelParameters first = new MlpEstimator(ml, Quick(epochs: 8)).Fit(train).Model;
        MlpOptions gentle = Quick(epochs: 1);
        gentle.LearningRate = 1e-6f;
        gentle.Seed = 99;

        MlpModelParameters second = new MlpEstimator(ml, gentle).Fit(train, first).Model;

        float[] before = Parameters(first), after = Parameters(second);
        double largest = before.Zip(after, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(largest < 1e-3, $"a weight moved by {largest:G3}");
        Assert.True(second.TrainingHistory[^1].TrainingLoss < first.TrainingHistory[0].TrainingLoss);
    }

    [Fact]
    public void WarmStartFromAModelOfAnotherShapeIsRejectedWithAClearMessage()
    {
        var ml = new MLContext(seed: 0);
        IDataView train = View(ml, Data);
        MlpModelParameters small = new MlpEstimator(ml, Quick(epochs: 1)).Fit(train).Model; // 3-8-3
        MlpOptions wider = Quick(epochs: 1);
        wider.HiddenLayerSizes = new[] { 16 };

        var error = Assert.Throws<InvalidOperationException>(() => new MlpEstimator(ml, wider).Fit(train, small));

        Assert.Contains("3-8-3", error.Message);
        Assert.Contains("3-16-3", error.Message);
        Assert.Contains("HiddenLayerSizes", error.Message);
    }

    [Fact]
    public void WarmStartWithAnotherActivationIsRejected()
    {
        var ml = new MLContext(seed: 0);
        IDataView train = View(ml, Data);
        MlpModelParameters tanh = new MlpEstimator(ml, Quick(epochs: 1)).Fit(train).Model;
        MlpOptions relu = Quick(epochs: 1);
        relu.Activation = MlpActivation.ReLU;

        var error = Assert.Throws<InvalidOperationException>(() => new MlpEstimator(ml, relu).Fit(train, tanh));

        Assert.Contains("Tanh", error.Message);
        Assert.Contains("ReLU", error.Message);
    }
}
