using Microsoft.Data.Analysis;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Samples.Tests.Support;

namespace MlpTrainer.Samples.Tests;

/// <summary>The <c>csv</c> command on small files of each task: it trains, evaluates with the task's evaluator and saves a usable model.</summary>
public sealed class CsvCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Multiclass_with_text_label_numbers_booleans_one_hot_and_a_skipped_identifier()
    {
        string csv = CsvFiles.Multiclass(_folder.File("animals.csv"));
        string model = _folder.File("animals.zip");

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "kind", "--model", model);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"│ id\s+│ text\s+│ skipped", result.Output);
        Assert.Matches(@"│ colour\s+│ text\s+│ feature, one-hot\s+│ 3 categories", result.Output);
        Assert.Matches(@"│ flag\s+│ true/false\s+│ feature", result.Output);
        Assert.Contains("3 classes: 'bird', 'cat', 'dog'", result.Output);
        Assert.Contains("MLP hidden 64,32", result.Output); // the documented default when --hidden is absent
        Assert.True(OutputAssert.Metric(result, "Micro-accuracy") >= 0.85, result.ToString());
        Assert.Contains("Confusion matrix", result.Output);
        Assert.Contains("Saved the model to", result.Output);

        // The saved pipeline scores the file as DataFrame.LoadCsv reads it, in a fresh MLContext.
        var ml = new MLContext();
        ITransformer loaded = ml.Model.Load(model, out _);
        IDataView scored = loaded.Transform(DataFrame.LoadCsv(csv));
        Assert.NotNull(scored.Schema.GetColumnOrNull("Predicted kind"));
    }

    [Fact]
    public void Binary_converts_a_two_valued_text_label_and_reports_auc()
    {
        string csv = CsvFiles.Binary(_folder.File("churn.csv"));

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "churn", "--task", "binary", "--model", _folder.File("churn.zip"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("'no' → false, 'yes' → true", result.Output);
        Assert.True(OutputAssert.Metric(result, "Accuracy") >= 0.8, result.ToString());
        Assert.True(OutputAssert.Metric(result, "AUC") >= 0.85, result.ToString());
        Assert.Contains("Confusion matrix", result.Output);
        Assert.True(File.Exists(_folder.File("churn.zip")));
    }

    [Fact]
    public void Numbers_with_NA_markers_are_features_with_missing_values_and_the_saved_model_scores_the_file()
    {
        string csv = CsvFiles.BinaryWithMissingMarkers(_folder.File("churn-na.csv"));
        string model = _folder.File("churn-na.zip");

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "churn", "--task", "binary", "--model", model);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"│ age\s+│ text\s+│ feature\s+│ numbers; 30 missing \('NA'\)", result.Output);
        Assert.Matches(@"│ income\s+│ text\s+│ feature\s+│ numbers; 1 missing \('\?'\)", result.Output);
        Assert.Matches(@"│ unknown\s+│ text\s+│ skipped\s+│ empty \(only missing-value", result.Output);
        Assert.True(OutputAssert.Metric(result, "AUC") >= 0.85, result.ToString());

        var ml = new MLContext();
        IDataView scored = ml.Model.Load(model, out _).Transform(DataFrame.LoadCsv(csv, guessRows: 1000));
        float[] probabilities = scored.GetColumn<float>("Probability").ToArray();
        Assert.Equal(300, probabilities.Length);
        Assert.All(probabilities, p => Assert.InRange(p, 0f, 1f));
    }

    [Fact]
    public void Rows_whose_class_is_NA_are_left_out_rather_than_made_a_class()
    {
        string csv = CsvFiles.WithLabelsMissing(_folder.File("animals-na.csv"), CsvFiles.Multiclass);

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "kind", "--model", _folder.File("animals-na.zip"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("288 rows (12 without a label left out)", result.Output);
        Assert.Contains("3 classes: 'bird', 'cat', 'dog'", result.Output);
    }

    [Fact]
    public void A_binary_label_of_numbers_with_NA_markers_orders_its_values_as_numbers()
    {
        string csv = CsvFiles.BinaryWithNumericLabelsMissing(_folder.File("churn-9-10.csv"));

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "churn", "--task", "binary", "--model", _folder.File("churn-9-10.zip"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("288 rows (12 without a label left out)", result.Output);
        Assert.Contains("9 → false, 10 → true", result.Output); // as text, "10" would sort before "9"
        Assert.True(OutputAssert.Metric(result, "AUC") >= 0.85, result.ToString());
    }

    [Fact]
    public void A_numeric_label_with_NA_markers_trains_a_regression_on_the_rows_that_have_one()
    {
        string csv = CsvFiles.WithLabelsMissing(_folder.File("houses-na.csv"), CsvFiles.Regression);

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "price", "--task", "regression", "--hidden", "32", "--epochs", "150",
            "--model", _folder.File("houses-na.zip"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("288 rows (12 without a label left out)", result.Output);
        Assert.True(OutputAssert.Metric(result, "R²") >= 0.9, result.ToString());
    }

    [Fact]
    public void Regression_fills_a_missing_number_and_reports_r_squared()
    {
        string csv = CsvFiles.Regression(_folder.File("houses.csv"));

        SampleResult result = SampleRunner.Run("csv", csv, "--label", "price", "--task", "regression", "--hidden", "32", "--epochs", "150",
            "--model", _folder.File("houses.zip"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("1 missing → the column's mean", result.Output);
        Assert.Contains("MLP hidden 32", result.Output);
        Assert.True(OutputAssert.Metric(result, "R²") >= 0.9, result.ToString());
        OutputAssert.Metric(result, "RMSE");
        Assert.True(File.Exists(_folder.File("houses.zip")));
    }

    [Fact]
    public void Default_model_path_is_model_zip_in_the_current_folder_and_help_says_so()
    {
        SampleResult help = SampleRunner.Run("csv", "--help");

        Assert.Equal(0, help.ExitCode);
        foreach (string option in new[] { "<file>", "--label", "--task", "--epochs", "--hidden", "--model", "model.zip", "multiclass", "binary", "regression" })
            Assert.Contains(option, help.Output);
    }
}
