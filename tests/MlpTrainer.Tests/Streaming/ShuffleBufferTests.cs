using Microsoft.ML;
using MlpTrainer.Data;
using MlpTrainer.Tests.Learning;
using MlpTrainer.Training;
using static MlpTrainer.Tests.Streaming.StreamingTestData;

namespace MlpTrainer.Tests.Streaming;

/// <summary>The streaming source's shuffle buffer: every row once per epoch, in an order set by (seed, epoch), in bounded memory.</summary>
public sealed class ShuffleBufferTests
{
    private const int Rows = 500;

    [Theory]
    [InlineData(16, 16)]
    [InlineData(50, 16)]
    [InlineData(499, 7)]
    [InlineData(500, 32)]
    [InlineData(5000, 32)]
    public void EveryRowIsEmittedExactlyOncePerEpoch(int bufferRows, int batch)
    {
        var ml = new MLContext(seed: 0);
        using StreamingMinibatchSource source = Source(ml, NumberedRows(Rows), bufferRows, batch, seed: 5);
        using BackpropTrainer trainer = Trainer(2, batch);

        for (int epoch = 0; epoch < 3; epoch++)
        {
            List<int> rows = EpochRows(source, trainer, epoch);
            Assert.Equal(Enumerable.Range(0, Rows), rows.Order());
            Assert.NotEqual(Enumerable.Range(0, Rows), rows);
        }
    }

    [Fact]
    public void TheOrderDependsOnTheEpochAndTheSeedAndRepeatsForTheSame()
    {
        var ml = new MLContext(seed: 0);
        using StreamingMinibatchSource a = Source(ml, NumberedRows(Rows), 64, 16, seed: 5);
        using StreamingMinibatchSource b = Source(ml, NumberedRows(Rows), 64, 16, seed: 6);
        using BackpropTrainer trainer = Trainer(2, 16);

        List<int> epoch0 = EpochRows(a, trainer, 0), epoch1 = EpochRows(a, trainer, 1), epoch0Again = EpochRows(a, trainer, 0);
        Assert.Equal(epoch0, epoch0Again);
        Assert.NotEqual(epoch0, epoch1);
        Assert.NotEqual(epoch0, EpochRows(b, trainer, 0));
    }

    [Fact]
    public void ABufferHoldingEveryRowVisitsTheRowsInTheInMemoryShufflersOrder()
    {
        var ml = new MLContext(seed: 0);
        using StreamingMinibatchSource source = Source(ml, NumberedRows(Rows), Rows, 16, seed: 5);
        using BackpropTrainer trainer = Trainer(2, 16);
        var shuffler = new EpochShuffler(Enumerable.Range(0, Rows).ToArray(), shuffle: true, seed: 5);

        for (int epoch = 0; epoch < 3; epoch++)
            Assert.Equal(shuffler.Order(epoch).ToArray(), EpochRows(source, trainer, epoch));
    }

    [Fact]
    public void WithoutShufflingRowsComeInTheDataViewsOrderAndNoBufferIsAllocated()
    {
        var ml = new MLContext(seed: 0);
        using StreamingMinibatchSource source = Source(ml, NumberedRows(Rows), 64, 16, seed: 5, shuffle: false);
        using BackpropTrainer trainer = Trainer(2, 16);

        Assert.Equal(Enumerable.Range(0, Rows), EpochRows(source, trainer, 0));
        Assert.Equal(0, source.BufferCapacity);
        Assert.Equal(0, source.BufferedFeatureFloats);
    }

    [Fact]
    public void SkippedRowsAreSkippedInEveryEpoch()
    {
        var ml = new MLContext(seed: 0);
        int[] nan = { 3, 40, 41, 499 }, missing = { 0, 77, 250 };
        Datasets.Set set = NumberedRows(Rows, nan, missing);
        using StreamingMinibatchSource source = Source(ml, set, 32, 16, seed: 5);
        using BackpropTrainer trainer = Trainer(2, 16);
        int[] expected = Enumerable.Range(0, Rows).Except(nan).Except(missing).ToArray();

        Assert.Equal(expected.Length, source.RowCount);
        for (int epoch = 0; epoch < 4; epoch++)
            Assert.Equal(expected, EpochRows(source, trainer, epoch).Order());
    }

    [Theory]
    [InlineData(16, 16)]
    [InlineData(100, 32)]
    [InlineData(100000, 32)]
    public void TheSourceNeverHoldsMoreThanItsBufferPlusOneMinibatchOfRows(int bufferRows, int batch)
    {
        var ml = new MLContext(seed: 0);
        using StreamingMinibatchSource source = Source(ml, NumberedRows(Rows), bufferRows, batch, seed: 5);
        using BackpropTrainer trainer = Trainer(2, batch);

        for (int epoch = 0; epoch < 2; epoch++)
            EpochRows(source, trainer, epoch);

        int buffer = Math.Min(bufferRows, Rows);
        Assert.Equal(buffer, source.BufferCapacity);
        Assert.Equal((long)buffer * 2, source.BufferedFeatureFloats);
        Assert.InRange(source.PeakBufferedRows, 1, buffer);
        Assert.Equal(batch * 2, trainer.InputBatch.Length); // the only other rows in memory: one minibatch
        Assert.True(source.BufferCapacity + trainer.BatchCapacity <= bufferRows + batch);
    }

    /// <summary>
    /// ML.NET's own cursor over an enumerable allocates a little as it goes (a few bytes a row); filling minibatches
    /// through the shuffle buffer adds nothing to that beyond the epoch's cursor.
    /// </summary>
    [Fact]
    public void FillingMinibatchesAllocatesNoMoreThanTheDataViewsCursorItself()
    {
        var ml = new MLContext(seed: 0);
        Datasets.Set set = NumberedRows(Rows);
        using StreamingMinibatchSource source = Source(ml, set, 64, 16, seed: 5);
        using BackpropTrainer trainer = Trainer(2, 16);
        for (int epoch = 0; epoch < 4; epoch++)
            EpochRows(source, trainer, epoch); // warm up: getters, buffers, and the JIT's tiers, which allocate while they settle

        // The JIT's background tiering can still allocate on this thread during any one epoch (a method reaching its
        // call-count threshold); that only ever adds bytes, so the fewest over a few epochs is the code's own cost.
        int batches = (Rows + 15) / 16;
        long streamed = long.MaxValue;
        for (int epoch = 4; epoch < 9; epoch++)
        {
            source.BeginEpoch(epoch);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < batches; i++)
                Assert.True(source.Next(trainer.Batch, out _, out _));
            streamed = Math.Min(streamed, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.False(source.Next(trainer.Batch, out _, out _)); // the epoch's end, which closes its cursor
        }

        DataViewColumns columns = DataViewColumns.Resolve(Datasets.ToDataView(ml, set), Model.MlpTask.Multiclass, "Features", "Label", null);
        long cursorOnly = long.MaxValue;
        for (int pass = 0; pass < 8; pass++)
        {
            using DataViewRowReader reader = columns.OpenReader();
            long before = GC.GetAllocatedBytesForCurrentThread();
            while (reader.Read(out _, out _)) { }
            if (pass >= 3)
                cursorOnly = Math.Min(cursorOnly, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(streamed <= cursorOnly + 1024, $"{streamed} bytes allocated over {batches} minibatches; the cursor alone allocates {cursorOnly}");
    }
}
