using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Tests.Learning;

namespace MlpTrainer.Tests.Pipeline;

/// <summary>
/// What a new user trips on, each refused with a message that names the fix in one line of code, and with the
/// exception type ML.NET throws for the same mistake: a schema mismatch is an <see cref="ArgumentOutOfRangeException"/>
/// (from the trainer's <c>Fit</c> and from a pipeline's schema check alike), data without rows an
/// <see cref="InvalidOperationException"/>.
/// </summary>
public class ColumnErrorMessageTests
{
    private sealed class TextLabelRow
    {
        public string Species { get; set; } = "";

        [VectorType(3)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class NumberLabelRow
    {
        public float Number { get; set; }

        [VectorType(3)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class DoubleRow
    {
        public double Label { get; set; }

        public bool Flag { get; set; }

        [VectorType(3)]
        public double[] Features { get; set; } = Array.Empty<double>();
    }

    private sealed class SeparateColumnsRow
    {
        public float Label { get; set; }

        public float Age { get; set; }

        public float Income { get; set; }
    }

    private sealed class UnsizedRow
    {
        public bool Label { get; set; }

        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private static MlpOptions Options(string label = "Label") => new() { LabelColumnName = label, HiddenLayerSizes = new[] { 4 }, NumberOfEpochs = 2, Seed = 0 };

    private static IDataView Load<T>(MLContext ml, params T[] rows) where T : class => ml.Data.LoadFromEnumerable(rows);

    [Fact]
    public void MulticlassWithATextLabelSaysMapValueToKeyInFitAndInAPipeline()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = Load(ml, new TextLabelRow { Species = "a", Features = new[] { 1f, 2f, 3f } });

        var direct = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.Mlp(Options("Species")).Fit(data));
        var inPipeline = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.NormalizeMinMax("Features").Append(ml.MulticlassClassification.Trainers.Mlp(Options("Species"))).Fit(data));

        foreach (var e in new[] { direct, inPipeline })
        {
            Assert.Contains("Schema mismatch for label column 'Species': expected Key, got String.", e.Message);
            Assert.Contains("ml.Transforms.Conversion.MapValueToKey(\"Species\")", e.Message);
        }
    }

    [Fact]
    public void MulticlassWithASingleLabelSaysMapValueToKey()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = Load(ml, new NumberLabelRow { Number = 1, Features = new[] { 1f, 2f, 3f } });

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MlpEstimator(ml, Options("Number")).Fit(data));

        Assert.Contains("expected Key, got Single", e.Message);
        Assert.Contains("ml.Transforms.Conversion.MapValueToKey(\"Number\")", e.Message);
        Assert.Contains("MapKeyToValue(\"PredictedLabel\")", e.Message);
    }

    [Fact]
    public void BinaryWithANumericLabelSaysConvertTypeToBoolean()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = Load(ml, new NumberLabelRow { Number = 1, Features = new[] { 1f, 2f, 3f } });

        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.CopyColumns("Copy", "Features").Append(ml.BinaryClassification.Trainers.Mlp(Options("Number"))).Fit(data));

        Assert.Contains("Schema mismatch for label column 'Number': expected Boolean, got Single.", e.Message);
        Assert.Contains("ml.Transforms.Conversion.ConvertType(\"Number\", outputKind: DataKind.Boolean)", e.Message);
    }

    [Fact]
    public void BinaryWithATextLabelSaysBooleanOrMapValueToKeyWithTheMulticlassTrainer()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = Load(ml, new TextLabelRow { Species = "yes", Features = new[] { 1f, 2f, 3f } });

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Mlp(Options("Species")).Fit(data));

        Assert.Contains("expected Boolean, got String", e.Message);
        Assert.Contains("ConvertType(\"Species\", outputKind: DataKind.Boolean)", e.Message);
        Assert.Contains("MapValueToKey(\"Species\") and ml.MulticlassClassification.Trainers.Mlp()", e.Message);
    }

    [Fact]
    public void RegressionWithADoubleLabelSaysConvertTypeToSingle()
    {
        var ml = new MLContext(seed: 0);
        IDataView raw = Load(ml, new DoubleRow { Label = 1, Features = new[] { 1.0, 2, 3 } });
        IDataView data = ml.Transforms.Conversion.ConvertType("Features", outputKind: DataKind.Single).Fit(raw).Transform(raw);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Mlp(Options()).Fit(data));

        Assert.Contains("Schema mismatch for label column 'Label': expected Single, got Double.", e.Message);
        Assert.Contains("ml.Transforms.Conversion.ConvertType(\"Label\", outputKind: DataKind.Single)", e.Message);
    }

    [Fact]
    public void DoubleFeaturesSayConvertTypeToSingle()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = Load(ml, new DoubleRow { Label = 1, Features = new[] { 1.0, 2, 3 } });

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Mlp(Options()).Fit(data));

        Assert.Contains("Schema mismatch for feature column 'Features': expected Vector<Single>, got Vector<Double>.", e.Message);
        Assert.Contains("ml.Transforms.Conversion.ConvertType(\"Features\", outputKind: DataKind.Single)", e.Message);
    }

    [Fact]
    public void SeparateScalarFeatureColumnsSayConcatenate()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = Load(ml, new SeparateColumnsRow { Label = 1, Age = 30, Income = 2 });
        MlpOptions options = Options();
        options.FeatureColumnName = "Age";

        var scalar = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Mlp(options).Fit(data));
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Mlp(Options()).Fit(data));

        Assert.Contains("expected Vector<Single>, got Single", scalar.Message);
        Assert.Contains("ml.Transforms.Concatenate(\"Features\", \"Age\", \"Income\")", scalar.Message);
        Assert.Contains("Could not find feature column 'Features'. The data's columns: Label, Age, Income.", missing.Message);
        Assert.Contains("ml.Transforms.Concatenate(\"Features\", \"Age\", \"Income\")", missing.Message);
    }

    [Fact]
    public void AMissingLabelColumnListsTheColumnsThereAre()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = Load(ml, new TextLabelRow { Species = "a", Features = new[] { 1f, 2f, 3f } });

        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.Conversion.MapValueToKey("Species").Append(ml.MulticlassClassification.Trainers.Mlp(Options())).Fit(data));

        Assert.Contains("Could not find label column 'Label'. The data's columns: Species, Features.", e.Message);
        Assert.Contains("LabelColumnName", e.Message);
    }

    [Fact]
    public void FeaturesOfUnknownSizeSayVectorType()
    {
        var ml = new MLContext(seed: 0);
        IDataView data = Load(ml, new UnsizedRow { Label = true, Features = new[] { 1f, 2f } });

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Mlp(Options()).Fit(data));

        Assert.Contains("got VarVector<Single>", e.Message);
        Assert.Contains("[VectorType(size)]", e.Message);
    }

    [Fact]
    public void AnEmptyViewSaysTheTrainingDataIsEmpty()
    {
        var ml = new MLContext(seed: 0);
        IDataView empty = Datasets.ToDataView(ml, Array.Empty<Datasets.ClassRow>(), featureCount: 3, classes: 3);

        var e = Assert.Throws<InvalidOperationException>(() => new MlpEstimator(ml, Options()).Fit(empty));

        Assert.StartsWith("The training data is empty: it has no rows.", e.Message);
    }
}
