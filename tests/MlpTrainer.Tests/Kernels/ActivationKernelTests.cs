using MlpTrainer.Kernels;

namespace MlpTrainer.Tests.Kernels;

/// <summary>
/// ActivationKernel against plain scalar double-precision references. The lengths 1, 7, 16, 17 and 129 make
/// every run use only the scalar tail, only full vectors, or both, for 256- and 512-bit vectors alike.
/// </summary>
public class ActivationKernelTests
{
    private const float Slope = 0.1f;

    public static TheoryData<MlpActivation, int> ActivationsAndLengths()
    {
        var data = new TheoryData<MlpActivation, int>();
        foreach (MlpActivation activation in Enum.GetValues<MlpActivation>())
        {
            foreach (int length in new[] { 1, 7, 16, 17, 129 })
                data.Add(activation, length);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ActivationsAndLengths))]
    public void AddBiasAndActivateComputesActivationOfRowPlusBias(MlpActivation activation, int length)
    {
        var random = new Random(length * 31 + (int)activation);
        float[] row = RandomAwayFromZero(random, length, 4f);
        float[] bias = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5) * 0.05f).ToArray();
        float[] original = row.ToArray();

        ActivationKernel.AddBiasAndActivate(activation, Slope, row, bias);

        for (int i = 0; i < length; i++)
        {
            double z = (double)original[i] + bias[i];
            double expected = Reference(activation, z);
            Assert.True(Math.Abs(row[i] - expected) <= 2e-6 * Math.Max(1, Math.Abs(expected)),
                $"{activation}, length {length}, element {i}: z = {z}, got {row[i]:G9}, expected {expected:G9}");
        }
    }

    [Theory]
    [MemberData(nameof(ActivationsAndLengths))]
    public void MultiplyByDerivativeMultipliesByDerivativeAtThePreActivation(MlpActivation activation, int length)
    {
        var random = new Random(length * 17 + (int)activation);
        float[] z = RandomAwayFromZero(random, length, 4f);
        float[] activated = z.Select(v => (float)Reference(activation, v)).ToArray();
        float[] gradient = Enumerable.Range(0, length).Select(_ => (float)(4 * random.NextDouble() - 2)).ToArray();
        float[] original = gradient.ToArray();

        ActivationKernel.MultiplyByDerivative(activation, Slope, gradient, activated);

        for (int i = 0; i < length; i++)
        {
            double expected = original[i] * ReferenceDerivative(activation, z[i]);
            Assert.True(Math.Abs(gradient[i] - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)),
                $"{activation}, length {length}, element {i}: z = {z[i]}, got {gradient[i]:G9}, expected {expected:G9}");
        }
    }

    [Theory]
    [InlineData(MlpActivation.Identity)]
    [InlineData(MlpActivation.ReLU)]
    [InlineData(MlpActivation.LeakyReLU)]
    public void PiecewiseLinearActivationsAreExactInFloat(MlpActivation activation)
    {
        var random = new Random(5);
        float[] row = RandomAwayFromZero(random, 129, 3f);
        float[] bias = Enumerable.Range(0, 129).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        float[] expected = row.Select((x, i) =>
        {
            float z = x + bias[i];
            return activation switch { MlpActivation.Identity => z, MlpActivation.ReLU => z > 0 ? z : 0f, _ => z > 0 ? z : z * Slope };
        }).ToArray();

        ActivationKernel.AddBiasAndActivate(activation, Slope, row, bias);

        Assert.Equal(expected, row);
    }

    [Theory]
    [InlineData(0)]   // inside the first vector
    [InlineData(15)]  // last lane of a 512-bit vector
    [InlineData(16)]  // the scalar tail of a length-17 row
    public void ReLUPropagatesNaNSoThatDivergenceIsVisible(int position)
    {
        float[] row = Enumerable.Range(0, 17).Select(i => (float)(i - 8)).ToArray();
        row[position] = float.NaN;

        ActivationKernel.AddBiasAndActivate(MlpActivation.ReLU, 0f, row, new float[17]);

        Assert.True(float.IsNaN(row[position]), $"ReLU(NaN) at element {position} gave {row[position]}");
    }

    [Fact]
    public void LeakyReLUWithSlopeZeroIsReLU()
    {
        var random = new Random(2);
        float[] row = RandomAwayFromZero(random, 129, 3f);
        float[] bias = new float[129];
        float[] relu = row.ToArray(), leaky = row.ToArray();

        ActivationKernel.AddBiasAndActivate(MlpActivation.ReLU, 0f, relu, bias);
        ActivationKernel.AddBiasAndActivate(MlpActivation.LeakyReLU, 0f, leaky, bias);

        Assert.Equal(relu, leaky);
    }

    [Theory]
    [InlineData(MlpActivation.Identity)]
    [InlineData(MlpActivation.Sigmoid)]
    [InlineData(MlpActivation.Tanh)]
    [InlineData(MlpActivation.ReLU)]
    [InlineData(MlpActivation.LeakyReLU)]
    public void AddBiasAndActivateRejectsABiasOfTheWrongLength(MlpActivation activation)
        => Assert.ThrowsAny<ArgumentException>(() => ActivationKernel.AddBiasAndActivate(activation, Slope, new float[17], new float[16]));

    [Theory]
    [InlineData(MlpActivation.Identity)]
    [InlineData(MlpActivation.Sigmoid)]
    [InlineData(MlpActivation.Tanh)]
    [InlineData(MlpActivation.ReLU)]
    [InlineData(MlpActivation.LeakyReLU)]
    public void MultiplyByDerivativeRejectsActivationsOfTheWrongLength(MlpActivation activation)
        => Assert.ThrowsAny<ArgumentException>(() => ActivationKernel.MultiplyByDerivative(activation, Slope, new float[17], new float[18]));

    [Fact]
    public void UnknownActivationIsRejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ActivationKernel.AddBiasAndActivate((MlpActivation)42, Slope, new float[3], new float[3]));
        Assert.Equal("activation", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ActivationKernel.MultiplyByDerivative((MlpActivation)42, Slope, new float[3], new float[3]));
    }

    /// <summary>Values in ±[0.05, scale], never near ReLU's kink.</summary>
    private static float[] RandomAwayFromZero(Random random, int length, float scale)
        => Enumerable.Range(0, length).Select(_ =>
        {
            float magnitude = 0.05f + (float)random.NextDouble() * (scale - 0.05f);
            return random.Next(2) == 0 ? magnitude : -magnitude;
        }).ToArray();

    private static double Reference(MlpActivation activation, double z) => activation switch
    {
        MlpActivation.Identity => z,
        MlpActivation.Sigmoid => 1 / (1 + Math.Exp(-z)),
        MlpActivation.Tanh => Math.Tanh(z),
        MlpActivation.ReLU => Math.Max(0, z),
        MlpActivation.LeakyReLU => z > 0 ? z : Slope * z,
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    private static double ReferenceDerivative(MlpActivation activation, double z) => activation switch
    {
        MlpActivation.Identity => 1,
        MlpActivation.Sigmoid => Math.Exp(-z) / ((1 + Math.Exp(-z)) * (1 + Math.Exp(-z))),
        MlpActivation.Tanh => 1 / (Math.Cosh(z) * Math.Cosh(z)),
        MlpActivation.ReLU => z > 0 ? 1 : 0,
        MlpActivation.LeakyReLU => z > 0 ? 1 : Slope,
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };
}
