using System.Runtime.ExceptionServices;

namespace MlpTrainer.Data;

/// <summary>
/// Gathers the feature moments of a <see cref="DenseDataset"/>'s rows on a thread of its own while the reader is still
/// adding them: each row once the reader has published it (<see cref="Publish"/>), in row order, with its weight and
/// class, so the sums are exactly those of a pass over the rows after the read. The reader's thread then only copies
/// rows while the double-precision sums run on the other core (on the standard 60,000 × 784 table they cost as much as
/// the copy). Rows the reader publishes are complete and never change again; the publishing write is volatile, so
/// everything the reader wrote for those rows is visible here.
/// </summary>
internal sealed class MomentsBehindReader
{
    private readonly DenseDataset _rows;
    private readonly FeatureMoments _moments;
    private readonly bool _byClass;
    private readonly Task _task;
    private volatile int _published;
    private volatile bool _complete, _abandoned;

    /// <param name="rows">The dataset the reader fills, from its first row.</param>
    /// <param name="moments">Where the rows are added, each with its weight and (for classification) its class.</param>
    public MomentsBehindReader(DenseDataset rows, FeatureMoments moments)
    {
        _rows = rows;
        _moments = moments;
        _byClass = rows.ClassCount > 0;
        // A thread of its own: on a thread-pool thread it could wait until the page mapping's task has finished.
        _task = Task.Factory.StartNew(Follow, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Rows 0 to <paramref name="count"/> − 1 are added and final.</summary>
    public void Publish(int count) => _published = count;

    /// <summary>
    /// No more rows come: waits until every published row is added (rethrowing what failed there), or with
    /// <paramref name="abandon"/> (the moments will not be used) until the thread has stopped, without adding the rest.
    /// </summary>
    public void Complete(bool abandon = false)
    {
        _abandoned = abandon;
        _complete = true;
        try
        {
            _task.Wait();
        }
        catch (AggregateException) when (abandon)
        {
            // The moments are not used, and the reader's own exception, if any, is the one to see.
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    private void Follow()
    {
        int next = 0;
        var spin = new SpinWait();
        while (true)
        {
            // Completion is read before the count, so every row published before completion is seen.
            bool complete = _complete;
            if (complete && _abandoned)
                return;
            int available = _published;
            if (next < available)
            {
                for (; next < available && !_abandoned; next++)
                    _moments.Add(_rows.Row(next), _rows.Weight(next), _byClass ? _rows.Label(next) : 0);
                spin.Reset();
            }
            else if (complete)
            {
                return;
            }
            else
            {
                spin.SpinOnce();
            }
        }
    }
}
