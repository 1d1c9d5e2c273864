using System.Runtime.CompilerServices;
using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;

namespace MlpTrainer.Kernels;

/// <summary>
/// Single-precision, row-major matrix multiply C = op(A)·op(B) (+ C), blocked and packed in the
/// BLIS/GotoBLAS style and optionally spread over a fixed team of threads.
/// </summary>
/// <remarks>
/// <para><b>Layout.</b> Matrices are row-major. A stored matrix X with leading dimension ldx has
/// element (r, c) at <c>x[xOffset + r·ldx + c]</c>; ldx is the row stride and must be at least the
/// stored row length, so submatrices of larger matrices can be passed directly. op(X) is X or Xᵀ.
/// op(A) is m×k, op(B) is k×n and C is m×n.</para>
/// <para><b>Determinism contract.</b> Every element C[i, j] is produced by the same sequence of
/// floating-point operations, whatever the thread count, the <see cref="GemmPath"/> and the tile
/// the element falls in: K is cut into blocks that depend only on k (see
/// <see cref="GemmBlocking.KBlockLength"/>); for each block in increasing k order,
/// <c>acc = +0; for kk in the block, increasing: acc = fma(op(A)[i,kk], op(B)[kk,j], acc)</c>, then
/// <c>C[i,j] = (first block and !accumulate) ? acc : C[i,j] + acc</c>. Threads split only m or n,
/// never k. Results are therefore bit-identical across thread counts and paths. With k = 0, C is
/// zeroed (accumulate = false) or left unchanged.</para>
/// <para><b>Threads and memory.</b> The constructor allocates all packing buffers (one set per
/// thread) and starts <c>threads - 1</c> background workers; <see cref="Multiply"/> then allocates
/// nothing. Calls must not overlap: an engine serves one <see cref="Multiply"/> at a time. Idle
/// workers poll for ~200 µs after each call before sleeping, so back-to-back calls start quickly;
/// after <see cref="Rest"/> they sleep at once. Dispose the engine to stop the workers.</para>
/// </remarks>
internal sealed unsafe class GemmEngine : IDisposable
{
    private readonly GemmWorkspace[] _workspaces;
    private readonly GemmWorkerTeam? _team;

    // The job being executed; written by the caller before it wakes the workers.
    private GemmProblem _problem;
    private GemmPartition _partition;
    private IParallelJob? _job;

    private int _busy;
    private bool _disposed;

    /// <summary>Creates an engine using <paramref name="threads"/> threads (the caller plus threads - 1 workers) and the fastest supported path.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public GemmEngine(int threads)
        : this(threads, GemmPath.Auto)
    {
    }

    /// <summary>Creates an engine that uses the given micro-kernel <paramref name="path"/> (for tests and benchmarks).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1, or <paramref name="path"/> is not a defined value.</exception>
    /// <exception cref="PlatformNotSupportedException">The hardware cannot run <paramref name="path"/>.</exception>
    internal GemmEngine(int threads, GemmPath path)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (!Enum.IsDefined(path))
        {
            throw new ArgumentOutOfRangeException(nameof(path), path, "Unknown GEMM path.");
        }

        if (!IsSupported(path))
        {
            throw new PlatformNotSupportedException($"The {path} GEMM path is not supported by this processor.");
        }

        Path = path == GemmPath.Auto ? BestPath() : path;
        Threads = threads;

        (int mr, int nr) = Path switch
        {
            GemmPath.Vector512 => (Vector512MicroKernel.MR, Vector512MicroKernel.NR),
            GemmPath.Vector256 => (Vector256MicroKernel.MR, Vector256MicroKernel.NR),
            _ => (ScalarMicroKernel.MR, ScalarMicroKernel.NR),
        };

        _workspaces = new GemmWorkspace[threads];
        for (int i = 0; i < threads; i++)
        {
            _workspaces[i] = new GemmWorkspace(mr, nr);
        }

        if (threads > 1)
        {
            _team = new GemmWorkerTeam(threads - 1, ComputeSlice, "GemmEngine");
        }
    }

    /// <summary>Number of threads, including the calling thread, that a large product is split over.</summary>
    public int Threads { get; }

    /// <summary>The micro-kernel path in use (never <see cref="GemmPath.Auto"/>).</summary>
    public GemmPath Path { get; }

    /// <summary>Whether this processor can run <paramref name="path"/> (<see cref="GemmPath.Auto"/> and <see cref="GemmPath.Scalar"/> always can).</summary>
    public static bool IsSupported(GemmPath path) => path switch
    {
        GemmPath.Vector512 => Avx512F.IsSupported,
        GemmPath.Vector256 => Vector256.IsHardwareAccelerated && Fma.IsSupported,
        _ => true,
    };

    /// <summary>
    /// Computes C[m×n] = op(A)[m×k] · op(B)[k×n], adding to the existing C when
    /// <paramref name="accumulate"/> is true and overwriting it otherwise. See the class remarks for
    /// the storage layout and the determinism contract.
    /// </summary>
    /// <param name="transA">Whether A is stored as op(A) (m×k, <see cref="Transpose.No"/>) or as its transpose (k×m).</param>
    /// <param name="transB">Whether B is stored as op(B) (k×n, <see cref="Transpose.No"/>) or as its transpose (n×k).</param>
    /// <param name="m">Rows of C and of op(A).</param>
    /// <param name="n">Columns of C and of op(B).</param>
    /// <param name="k">Columns of op(A) and rows of op(B).</param>
    /// <param name="a">Storage of A; element (r, c) of stored A is <c>a[aOffset + r·lda + c]</c>.</param>
    /// <param name="aOffset">Index of stored A's element (0, 0).</param>
    /// <param name="lda">Row stride of stored A, at least its row length (k, or m when transposed) and at least 1.</param>
    /// <param name="b">Storage of B, laid out like <paramref name="a"/>.</param>
    /// <param name="bOffset">Index of stored B's element (0, 0).</param>
    /// <param name="ldb">Row stride of stored B, at least its row length (n, or k when transposed) and at least 1.</param>
    /// <param name="c">Storage of C; must not overlap the parts of <paramref name="a"/> or <paramref name="b"/> that are read.</param>
    /// <param name="cOffset">Index of C's element (0, 0).</param>
    /// <param name="ldc">Row stride of C, at least n and at least 1.</param>
    /// <param name="accumulate">True for C += op(A)·op(B), false for C = op(A)·op(B).</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size, offset, leading dimension or transpose value is out of range.</exception>
    /// <exception cref="ArgumentException">An array is too short for its matrix, or C overlaps A or B.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    /// <exception cref="InvalidOperationException">Another call on this engine is in progress.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Multiply(
        Transpose transA, Transpose transB, int m, int n, int k,
        float[] a, int aOffset, int lda,
        float[] b, int bOffset, int ldb,
        float[] c, int cOffset, int ldc,
        bool accumulate)
    {
        ValidateTranspose(transA, nameof(transA));
        ValidateTranspose(transB, nameof(transB));
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);

        bool aTransposed = transA == Transpose.Yes;
        bool bTransposed = transB == Transpose.Yes;
        MatrixExtent aExtent = MatrixExtent.Validate(a, aOffset, lda, aTransposed ? k : m, aTransposed ? m : k, nameof(a), nameof(aOffset), nameof(lda));
        MatrixExtent bExtent = MatrixExtent.Validate(b, bOffset, ldb, bTransposed ? n : k, bTransposed ? k : n, nameof(b), nameof(bOffset), nameof(ldb));
        MatrixExtent cExtent = MatrixExtent.Validate(c, cOffset, ldc, m, n, nameof(c), nameof(cOffset), nameof(ldc));
        if ((ReferenceEquals(c, a) && cExtent.Overlaps(aExtent)) || (ReferenceEquals(c, b) && cExtent.Overlaps(bExtent)))
        {
            throw new ArgumentException("C must not overlap the elements of A or B that the product reads.", nameof(c));
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException("GemmEngine.Multiply does not support concurrent calls on one engine.");
        }

        try
        {
            if (m == 0 || n == 0 || (k == 0 && accumulate))
            {
                return;
            }

            fixed (float* pa = a, pb = b, pc = c)
            {
                _problem = new GemmProblem(transA, transB, m, n, k, pa + aOffset, lda, pb + bOffset, ldb, pc + cOffset, ldc, accumulate);
                if (k == 0)
                {
                    ZeroC(_problem);
                    return;
                }

                _partition = GemmPartition.Create(m, n, k, Threads);
                if (_partition.Threads == 1 || _team is null)
                {
                    ComputeSlice(0);
                }
                else
                {
                    _team.Run(_partition.Threads);
                }

                _problem = default; // drop the pointers; the arrays are unpinned after this block
            }
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>
    /// Runs <paramref name="job"/> on the engine's threads — its part 0 on the caller, parts 1 … Threads − 1 on the
    /// workers — and returns when every part has finished, so element-wise work (the optimizer's update) uses the cores
    /// the matrix products use instead of leaving the workers spinning.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    /// <exception cref="InvalidOperationException">Another call on this engine is in progress.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunParallel(IParallelJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException("GemmEngine.RunParallel does not support concurrent calls on one engine.");
        }

        try
        {
            if (_team is null)
            {
                job.Run(0, 1);
                return;
            }

            _job = job;
            _team.Run(Threads);
        }
        finally
        {
            _job = null;
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>
    /// Calls that ran on more than one thread so far, and the seconds the calling thread spent waiting for the workers
    /// to finish their parts after its own (profiling: hand-offs and imbalance).
    /// </summary>
    public (long ParallelCalls, double WaitSeconds) Waits
        => _team is null ? (0, 0) : (_team.Waits.Runs, _team.Waits.WaitTicks / (double)System.Diagnostics.Stopwatch.Frequency);

    /// <summary>
    /// Says that no call is coming soon: the workers go to sleep at once rather than poll for the next call, so an engine
    /// kept between calls that come now and then (scoring) uses no CPU while idle. The next call wakes them.
    /// </summary>
    public void Rest() => _team?.Rest();

    /// <summary>Stops the worker threads. The engine cannot be used afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _team?.Dispose();
    }

    internal static GemmPath BestPath()
    {
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            return GemmPath.Vector512;
        }

        return IsSupported(GemmPath.Vector256) ? GemmPath.Vector256 : GemmPath.Scalar;
    }

    private static void ValidateTranspose(Transpose value, string paramName)
    {
        if (value != Transpose.No && value != Transpose.Yes)
        {
            throw new ArgumentOutOfRangeException(paramName, value, "Must be Transpose.No or Transpose.Yes.");
        }
    }

    private static void ZeroC(in GemmProblem problem)
    {
        for (int i = 0; i < problem.M; i++)
        {
            new Span<float>(problem.C + (nint)i * problem.Ldc, problem.N).Clear();
        }
    }

    /// <summary>Computes the part of the current job owned by thread <paramref name="index"/> (0 = caller).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ComputeSlice(int index)
    {
        if (_job is { } job)
        {
            job.Run(index, Threads);
            return;
        }

        (int start, int end) = _partition.GetRange(index);
        int rowStart = 0, rowEnd = _problem.M, colStart = 0, colEnd = _problem.N;
        if (_partition.SplitsColumns)
        {
            (colStart, colEnd) = (start, end);
        }
        else
        {
            (rowStart, rowEnd) = (start, end);
        }

        GemmWorkspace workspace = _workspaces[index];
        switch (Path)
        {
            case GemmPath.Vector512:
                GemmDriver.Compute<Vector512MicroKernel>(_problem, workspace, rowStart, rowEnd, colStart, colEnd);
                break;
            case GemmPath.Vector256:
                GemmDriver.Compute<Vector256MicroKernel>(_problem, workspace, rowStart, rowEnd, colStart, colEnd);
                break;
            default:
                GemmDriver.Compute<ScalarMicroKernel>(_problem, workspace, rowStart, rowEnd, colStart, colEnd);
                break;
        }
    }
}
