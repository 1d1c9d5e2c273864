using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Data;
using MlpTrainer.Model;

namespace MlpTrainer.Tests.Data;

/// <summary>
/// Reading a data view into memory while gathering the feature standardisation's statistics: the same numbers a
/// separate pass over the rows held gives, so leaving out that pass changes nothing but the time.
/// </summary>
public sealed class DataViewReaderTests
{
    private sealed class WeightedRow
    {
        [VectorType(6)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public float Label { get; set; }

        public float Weight { get; set; }
    }

    /// <summary>Rows of mixed scales and weights (some 0), with one NaN feature and one negative weight, which are skipped.</summary>
    private static IDataView WeightedRows(MLContext ml, int count)
    {
        var random = new Random(5);
        var rows = Enumerable.Range(0, count).Select(i => new WeightedRow
        {
            Features = new[] { (float)random.NextDouble() * 1000, (float)random.NextDouble(), random.Next(2), 0f, (float)random.NextDouble() - 7, i == 17 ? float.NaN : i },
            Label = (float)random.NextDouble(),
            Weight = i == 31 ? -1f : random.Next(3),
        }).ToList();
        return ml.Data.LoadFromEnumerable(rows);
    }

    [Fact]
    public void MomentsGatheredWhileReadingEqualAPassOverTheRowsHeld()
    {
        var ml = new MLContext(seed: 0);
        DataViewColumns columns = DataViewColumns.Resolve(WeightedRows(ml, 500), MlpTask.Regression, "Features", "Label", "Weight");
        var whileReading = new FeatureMoments(columns.FeatureCount);

        DataViewReader.Result read = DataViewReader.Read(columns, sparse: false, limitBytes: null, moments: whileReading);

        var dense = Assert.IsType<DenseDataset>(read.Dataset);
        Assert.Equal(498, dense.RowCount);
        var afterwards = new FeatureMoments(columns.FeatureCount);
        for (int row = 0; row < dense.RowCount; row++)
            afterwards.Add(dense.Row(row), dense.Weight(row));
        FeatureStandardization expected = afterwards.Finish(), actual = whileReading.Finish();
        Assert.Equal(expected.Offsets, actual.Offsets);
        Assert.Equal(expected.Scales, actual.Scales);
        Assert.Contains(actual.Scales, s => s != 1f); // the statistics are real, not the identity
    }

    [Fact]
    public void MomentsCannotBeGatheredOverSparseRows()
    {
        var ml = new MLContext(seed: 0);
        DataViewColumns columns = DataViewColumns.Resolve(WeightedRows(ml, 10), MlpTask.Regression, "Features", "Label", "Weight");

        var error = Assert.Throws<ArgumentException>(() => DataViewReader.Read(columns, sparse: true, limitBytes: null, moments: new FeatureMoments(6)));
        Assert.Equal("moments", error.ParamName);
    }
    [Fact]
    public void AReadPastTheMemoryLimitGathersNoMomentsAndEnds()
    {
        var ml = new MLContext(seed: 0);
        DataViewColumns columns = DataViewColumns.Resolve(WeightedRows(ml, 3000), MlpTask.Regression, "Features", "Label", "Weight");
        var moments = new FeatureMoments(columns.FeatureCount);

        DataViewReader.Result read = DataViewReader.Read(columns, sparse: false, limitBytes: 4096, moments: moments);

        Assert.True(read.ExceededLimit);
        Assert.True(read.RowsRead < 2998);
    }
}
