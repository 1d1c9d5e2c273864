using System.Runtime.CompilerServices;
using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace MlpTrainer.Kernels;

/// <summary>
/// A fixed team of persistent background threads that run slices of one job at a time together
/// with the calling thread. Dispatch costs no allocation: the job is published through fields and
/// a generation counter; idle workers spin briefly (so back-to-back calls start at once) and then
/// sleep on a monitor, or sleep at once after <see cref="Rest"/>.
/// </summary>
internal sealed class GemmWorkerTeam : IDisposable
{
    /// <summary>How long an idle worker polls for the next job before it goes to sleep.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    private readonly Action<int> _slice;
    private readonly Thread[] _workers;
    private readonly object _gate = new();

    private int _generation;
    private int _participants;
    private int _pending;
    private volatile bool _stopping;
    private volatile bool _resting;
    private long _waitTicks, _runs;
    private ExceptionDispatchInfo? _failure;

    /// <param name="workerCount">Threads to start in addition to the caller.</param>
    /// <param name="slice">Runs slice i (0 = caller) of the current job; must be allocation-free for steady-state calls.</param>
    /// <param name="name">Prefix of the worker thread names.</param>
    public GemmWorkerTeam(int workerCount, Action<int> slice, string name)
    {
        _slice = slice;
        _workers = new Thread[workerCount];
        for (int i = 0; i < workerCount; i++)
        {
            int sliceIndex = i + 1;
            _workers[i] = new Thread(() => WorkerLoop(sliceIndex))
            {
                IsBackground = true,
                Name = $"{name} worker {sliceIndex}",
            };
            _workers[i].Start();
        }
    }

    /// <summary>
    /// Runs slices 0 … <paramref name="participants"/>-1 of the current job, slice 0 on the calling
    /// thread, and returns when all have finished. Rethrows the first exception a slice threw.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(int participants)
    {
        Debug.Assert(participants >= 1 && participants <= _workers.Length + 1);

        _failure = null;
        _resting = false;
        _participants = participants;
        _pending = _workers.Length;
        Interlocked.Increment(ref _generation); // publishes the fields above (full fence)
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }

        try
        {
            _slice(0);
        }
        finally
        {
            // Every worker acknowledges every job, so no worker can still be reading this job's data
            // once we return (and the caller may unpin the operands).
            if (Volatile.Read(ref _pending) != 0)
            {
                long waitStart = Stopwatch.GetTimestamp();
                var spinner = default(SpinWait);
                while (Volatile.Read(ref _pending) != 0)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                }

                _waitTicks += Stopwatch.GetTimestamp() - waitStart;
            }

            _runs++;
        }

        _failure?.Throw();
    }

    /// <summary>
    /// Jobs run so far, and the <see cref="Stopwatch"/> ticks the calling thread spent waiting, after its own slice, for
    /// the workers to finish theirs: the hand-offs' cost plus the imbalance of the split (profiling).
    /// </summary>
    public (long Runs, long WaitTicks) Waits => (_runs, _waitTicks);

    /// <summary>
    /// Tells the workers that no job is coming soon: each goes to sleep on the monitor at once (a worker still finishing
    /// the last job, as soon as it is done) instead of polling for the rest of its spin time, so an idle team uses no CPU.
    /// The next <see cref="Run"/> wakes them as usual.
    /// </summary>
    public void Rest() => _resting = true;

    /// <summary>Stops and joins the workers.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        Interlocked.Increment(ref _generation);
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }

        foreach (Thread worker in _workers)
        {
            worker.Join();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WorkerLoop(int sliceIndex)
    {
        int seen = 0;
        while (true)
        {
            seen = WaitForJob(seen);
            if (_stopping)
            {
                return;
            }

            try
            {
                if (sliceIndex < _participants)
                {
                    _slice(sliceIndex);
                }
            }
            catch (Exception exception)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(exception), null);
            }

            Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary>Waits until the generation differs from <paramref name="seen"/> and returns the new one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int WaitForJob(int seen)
    {
        long start = Stopwatch.GetTimestamp();
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _generation) == seen)
        {
            if (_resting || Stopwatch.GetTimestamp() - start > SpinTicks)
            {
                lock (_gate)
                {
                    while (Volatile.Read(ref _generation) == seen)
                    {
                        Monitor.Wait(_gate);
                    }
                }

                break;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        return Volatile.Read(ref _generation);
    }
}
