using System.Runtime.Intrinsics;
using MlpTrainer.Kernels;

namespace MlpTrainer.Tests.Kernels;

/// <summary>The flushes that keep the optimizers out of subnormal arithmetic: thresholds, NaN and infinity, and vector = scalar.</summary>
public class SubnormalTests
{
    private static readonly float[] Values =
    {
        0f, -0f, 1e-45f, -1e-40f, 1.1e-38f, 1.2e-38f, -3e-30f, 1e-20f, -1.0e-19f, 1.1e-19f, -2e-19f, 1e-10f, 1f, -5f,
        float.MaxValue, float.NaN, float.PositiveInfinity, float.NegativeInfinity,
    };

    [Fact]
    public void FlushZeroesOnlySubnormals()
    {
        Assert.Equal(0f, Subnormal.Flush(1e-40f));
        Assert.Equal(0f, Subnormal.Flush(-1.1e-38f));
        Assert.Equal(1.2e-38f, Subnormal.Flush(1.2e-38f));
        Assert.Equal(-3e-30f, Subnormal.Flush(-3e-30f));
    }

    [Fact]
    public void FlushUnsquarableZeroesValuesWhoseSquareIsSubnormal()
    {
        Assert.Equal(0f, Subnormal.FlushUnsquarable(1e-20f));
        Assert.Equal(0f, Subnormal.FlushUnsquarable(-1.0e-19f));
        Assert.Equal(1.1e-19f, Subnormal.FlushUnsquarable(1.1e-19f));
        Assert.True(1.1e-19f * 1.1e-19f >= Subnormal.MinNormal);
        Assert.True(1.0e-19f * 1.0e-19f < Subnormal.MinNormal);
    }

    [Fact]
    public void NaNAndInfinityPassUnchanged()
    {
        Assert.True(float.IsNaN(Subnormal.Flush(float.NaN)));
        Assert.True(float.IsNaN(Subnormal.FlushUnsquarable(float.NaN)));
        Assert.Equal(float.NegativeInfinity, Subnormal.FlushUnsquarable(float.NegativeInfinity));
    }

    [Fact]
    public void VectorFormsGiveTheScalarResultForEveryValue()
    {
        foreach (float x in Values)
        {
            Assert.Equal(Subnormal.Flush(x), Subnormal.Flush(Vector256.Create(x)).GetElement(3));
            Assert.Equal(Subnormal.FlushUnsquarable(x), Subnormal.FlushUnsquarable(Vector256.Create(x)).GetElement(5));
            Assert.Equal(Subnormal.Flush(x), Subnormal.Flush(Vector512.Create(x)).GetElement(11));
            Assert.Equal(Subnormal.FlushUnsquarable(x), Subnormal.FlushUnsquarable(Vector512.Create(x)).GetElement(15));
        }
    }
}
