using MlpTrainer.Samples.Data;
using MlpTrainer.Samples.Tests.Support;

namespace MlpTrainer.Samples.Tests;

/// <summary>
/// The <c>fashion-mnist</c> command on a slice of the data (CI installs Debian's dataset-fashion-mnist). Only that it
/// runs end to end: the recipe's accuracy is checked by running the full sample, never by a timed test.
/// </summary>
public sealed class FashionMnistTests
{
    [Fact]
    public void One_epoch_on_2000_images_prints_an_accuracy_and_writes_the_png()
    {
        Assert.True(FashionMnist.IsInstalled(), "Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist");
        using var folder = new TempFolder();
        string plot = folder.File("loss.png");

        SampleResult result = SampleRunner.Run("fashion-mnist", "--train-rows", "2000", "--epochs", "1", "--plot", plot);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("2,000 training images", result.Output);
        Assert.Matches(@"Test accuracy 0\.\d{4} after 1 epochs", result.Output);
        Assert.True(OutputAssert.Metric(result, "Micro-accuracy") > 0.5, result.ToString());
        Assert.Contains("9: Ankle boot", result.Output);
        Assert.Contains($"Wrote the loss curves to {plot}", result.Output);
        byte[] png = File.ReadAllBytes(plot);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png.Take(4).ToArray());
    }

    [Fact]
    public void Missing_data_says_in_one_line_what_to_install()
    {
        using var folder = new TempFolder();

        SampleResult result = SampleRunner.Run("fashion-mnist", "--data-dir", folder.Path);

        OutputAssert.SingleErrorLine(result, "run 'apt-get install dataset-fashion-mnist'", folder.Path);
    }
}
