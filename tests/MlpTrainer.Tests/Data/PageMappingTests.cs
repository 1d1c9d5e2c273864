using MlpTrainer.Data;

namespace MlpTrainer.Tests.Data;

/// <summary>Mapping an array's pages before it is written (<see cref="PageMapping"/>) never changes what it holds.</summary>
public sealed class PageMappingTests
{
    private static float[] Numbered(int length) => Enumerable.Range(0, length).Select(i => i * 0.5f).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(1023)]
    [InlineData(1 << 20)]
    public void MappingLeavesEveryValueAsItWas(int length)
    {
        float[] array = Numbered(length);

        PageMapping.Map(array);

        Assert.Equal(Numbered(length), array);
    }

    [Fact]
    public void TheFallbackLeavesEveryValueAsItWas()
    {
        float[] array = Numbered(3 * 1024 + 5);

        PageMapping.Touch(array);

        Assert.Equal(Numbered(3 * 1024 + 5), array);
    }

    [Fact]
    public void AFreshArrayStaysZeroAfterMapping()
    {
        var array = new float[1 << 21];

        PageMapping.Map(array);

        Assert.All(array, v => Assert.Equal(0f, v));
    }
    [Theory]
    [InlineData(1000)]
    [InlineData(4096 * 3 + 7)]
    public void MappingFromAnElementLeavesEveryValueAsItWas(int from)
    {
        float[] array = Numbered(1 << 16);

        PageMapping.Map(array, from);
        PageMapping.Touch(array, from);

        Assert.Equal(Numbered(1 << 16), array);
    }

    [Fact]
    public void MappingFromPastTheEndDoesNothing()
    {
        float[] array = Numbered(10);

        PageMapping.Map(array, 10);

        Assert.Equal(Numbered(10), array);
    }
}
