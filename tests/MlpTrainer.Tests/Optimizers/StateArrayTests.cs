using MlpTrainer.Optimizers;

namespace MlpTrainer.Tests.Optimizers;

/// <summary><see cref="StateArray.Create"/> gives what <c>new float[length]</c> gives: an array of that length, all zeros.</summary>
public class StateArrayTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1023)]
    [InlineData(1024)]
    [InlineData(1025)]
    [InlineData(300_001)]
    public void CreateGivesAZeroedArrayOfTheLength(int length)
    {
        float[] values = StateArray.Create(length);
        Assert.Equal(length, values.Length);
        Assert.All(values, v => Assert.Equal(0, BitConverter.SingleToInt32Bits(v)));
    }

    [Theory]
    [InlineData(5000, 0)]
    [InlineData(5000, 3000)]
    [InlineData(5000, 5000)]
    public void CreateMappingPartOfTheArrayStillGivesZeros(int length, int mapFrom)
        => Assert.All(StateArray.Create(length, mapFrom), v => Assert.Equal(0, BitConverter.SingleToInt32Bits(v)));
}
