using System.Globalization;

namespace MlpTrainer.Tests.Options;

/// <summary><see cref="MlpEpochReport"/> prints as one readable line, as a progress callback writes it.</summary>
public sealed class MlpEpochReportTests
{
    [Fact]
    public void Without_validation_the_line_has_no_validation_figures()
        => Assert.Equal("Epoch 3: training loss 0.412345, learning rate 0.001, 0.12 s",
            new MlpEpochReport(3, 0.4123451, null, null, 0.001f, 0.123).ToString());

    [Fact]
    public void With_validation_the_line_has_the_validation_loss_and_accuracy()
        => Assert.Equal("Epoch 12: training loss 0.250000, validation loss 0.300000, validation accuracy 0.9125, learning rate 0.0005, 1.50 s",
            new MlpEpochReport(12, 0.25, 0.3, 0.9125, 0.0005f, 1.5).ToString());

    [Fact]
    public void Regression_validation_has_a_loss_and_no_accuracy()
        => Assert.Equal("Epoch 1: training loss 2.000000, validation loss 3.000000, learning rate 0.01, 0.01 s",
            new MlpEpochReport(1, 2, 3, null, 0.01f, 0.01).ToString());

    [Fact]
    public void The_line_does_not_depend_on_the_current_culture()
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal("Epoch 1: training loss 0.500000, learning rate 0.1, 2.00 s", new MlpEpochReport(1, 0.5, null, null, 0.1f, 2).ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }
}
