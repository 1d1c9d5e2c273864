using MlpTrainer.Kernels;
using Xunit;

namespace MlpTrainer.Tests.Kernels.Gemm;

public sealed class GemmPartitionTests
{
    [Theory]
    [InlineData(128, 256, 784, 2)]
    [InlineData(256, 784, 128, 2)]
    [InlineData(1024, 256, 784, 3)]
    [InlineData(1000, 10, 128, 2)]
    [InlineData(300, 301, 300, 3)]
    public void RangesCoverTheSplitDimensionInOrderWithoutGaps(int m, int n, int k, int threads)
    {
        GemmPartition partition = GemmPartition.Create(m, n, k, threads);
        int length = partition.SplitsColumns ? n : m;
        int granule = partition.SplitsColumns ? GemmPartition.ColumnGranule : GemmPartition.RowGranule;

        Assert.Equal(threads, partition.Threads);
        int expectedStart = 0;
        for (int t = 0; t < partition.Threads; t++)
        {
            (int start, int end) = partition.GetRange(t);
            Assert.Equal(expectedStart, start);
            Assert.True(end > start, $"thread {t} has no work");
            Assert.Equal(0, start % granule);
            expectedStart = end;
        }

        Assert.Equal(length, expectedStart);
    }

    [Fact]
    public void TheWiderOutputDimensionIsSplit()
    {
        Assert.True(GemmPartition.Create(128, 256, 784, 2).SplitsColumns);
        Assert.False(GemmPartition.Create(1024, 256, 784, 2).SplitsColumns);
    }

    [Theory]
    [InlineData(128, 10, 128)]
    [InlineData(10, 128, 128)]
    [InlineData(128, 128, 10)]
    public void SmallProductsRunOnTheCallingThreadOnly(int m, int n, int k)
    {
        Assert.Equal(1, GemmPartition.Create(m, n, k, 2).Threads);
    }

    [Fact]
    public void NoMoreThreadsThanGranulesAreUsed()
    {
        Assert.Equal(1, GemmPartition.Create(16, 16, 1 << 14, 4).Threads);
    }
}
