using MlpTrainer.Losses;

namespace MlpTrainer.Tests.Kernels;

/// <summary>
/// Softmax and the multiclass loss (SoftmaxCrossEntropyLoss, every row of weight 1) against a plain double-precision
/// reference, on lengths that use vector bodies and scalar tails.
/// </summary>
public class SoftmaxCrossEntropyTests
{
    public static TheoryData<int> Lengths => new() { 1, 7, 16, 17, 129 };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SoftmaxMatchesTheDoubleReference(int length)
    {
        float[] logits = RandomLogits(new Random(length), length, 6);
        double[] expected = ReferenceSoftmax(logits);

        SoftmaxCrossEntropy.Softmax(logits);

        for (int i = 0; i < length; i++)
            Assert.True(Math.Abs(logits[i] - expected[i]) <= 1e-6 * Math.Max(expected[i], 1e-3), $"element {i}: {logits[i]:G9} vs {expected[i]:G9}");
        Assert.Equal(1.0, logits.Sum(v => (double)v), 1e-5);
    }

    [Fact]
    public void SoftmaxIsStableForHugeLogits()
    {
        float[] logits = { 1000f, 999f, -1000f, 88f, 1000f };
        SoftmaxCrossEntropy.Softmax(logits);

        Assert.All(logits, p => Assert.True(float.IsFinite(p)));
        double e1 = Math.Exp(-1);
        Assert.Equal(1 / (2 + e1), logits[0], 1e-6);
        Assert.Equal(e1 / (2 + e1), logits[1], 1e-6);
        Assert.Equal(0f, logits[2]);
        Assert.Equal(logits[0], logits[4]);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void LossAndGradientGivesSummedCrossEntropyAndScaledProbabilitiesMinusOneHot(int classes)
    {
        const int rows = 3;
        const float scale = 0.25f;
        var random = new Random(100 + classes);
        float[] logits = RandomLogits(random, rows * classes, 8);
        int[] labels = Enumerable.Range(0, rows).Select(_ => random.Next(classes)).ToArray();
        float[] buffer = logits.ToArray();

        double loss = LossAndGradient(buffer, labels, rows, classes, scale);

        double expectedLoss = 0;
        for (int r = 0; r < rows; r++)
        {
            double[] p = ReferenceSoftmax(logits.AsSpan(r * classes, classes).ToArray());
            expectedLoss += -Math.Log(p[labels[r]]);
            for (int j = 0; j < classes; j++)
            {
                double expected = scale * (p[j] - (j == labels[r] ? 1 : 0));
                Assert.True(Math.Abs(buffer[r * classes + j] - expected) <= 1e-6 * Math.Max(Math.Abs(expected), 1e-2),
                    $"row {r}, class {j}: {buffer[r * classes + j]:G9} vs {expected:G9}");
            }
        }
        Assert.Equal(expectedLoss, loss, 1e-5 * Math.Max(1, expectedLoss));
    }

    [Fact]
    public void ConfidentWrongPredictionGivesLargeFiniteLoss()
    {
        float[] logits = { 1000f, 0f };
        double loss = LossAndGradient(logits, new[] { 1 }, 1, 2, 1f);

        Assert.Equal(1000.0, loss, 1e-6);
        Assert.Equal(new[] { 1f, -1f }, logits);
    }

    [Fact]
    public void OnlyTheGivenRowsAreTouched()
    {
        float[] buffer = { 1f, 2f, 3f, 4f, 5f, 6f };
        LossAndGradient(buffer, new[] { 0, 0 }, rows: 1, classes: 3, gradientScale: 1f);
        Assert.Equal(new[] { 4f, 5f, 6f }, buffer[3..]);
    }

    [Fact]
    public void LabelOutsideTheClassesIsRejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            LossAndGradient(new float[6], new[] { 0, 3 }, rows: 2, classes: 3, gradientScale: 1f));
        Assert.Equal("targets", ex.ParamName);
    }

    [Fact]
    public void TooShortBuffersAreRejected()
    {
        Assert.Throws<ArgumentException>(() => LossAndGradient(new float[5], new[] { 0, 1 }, 2, 3, 1f));
        Assert.Throws<ArgumentException>(() => LossAndGradient(new float[6], new[] { 0 }, 2, 3, 1f));
    }

    /// <summary>
    /// The multiclass loss over <paramref name="rows"/> rows of weight 1, with the weight sum chosen so each row's gradient is
    /// scaled by <paramref name="gradientScale"/> (scales here are exact reciprocals: 1, 0.25).
    /// </summary>
    private static double LossAndGradient(float[] logits, int[] labels, int rows, int classes, float gradientScale)
        => new SoftmaxCrossEntropyLoss().LossAndGradient(logits, labels.Select(l => (float)l).ToArray(), Enumerable.Repeat(1f, rows).ToArray(),
            rows, classes, weightSum: 1.0 / gradientScale);

    private static float[] RandomLogits(Random random, int length, double range)
        => Enumerable.Range(0, length).Select(_ => (float)(range * (2 * random.NextDouble() - 1))).ToArray();

    private static double[] ReferenceSoftmax(float[] logits)
    {
        double max = logits.Max();
        double[] e = logits.Select(z => Math.Exp(z - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }
}
