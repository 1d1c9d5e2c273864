namespace MlpTrainer.Kernels;

/// <summary>
/// One validated product C = op(A)·op(B) (+ C), with the operands already pinned by the caller
/// of <see cref="GemmEngine.Multiply"/>. Pointers address element (0, 0) of each stored matrix.
/// </summary>
internal readonly unsafe struct GemmProblem
{
    public GemmProblem(
        Transpose transA, Transpose transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        TransA = transA;
        TransB = transB;
        M = m;
        N = n;
        K = k;
        A = a;
        Lda = lda;
        B = b;
        Ldb = ldb;
        C = c;
        Ldc = ldc;
        Accumulate = accumulate;
    }

    public Transpose TransA { get; }

    public Transpose TransB { get; }

    public int M { get; }

    public int N { get; }

    public int K { get; }

    public float* A { get; }

    public int Lda { get; }

    public float* B { get; }

    public int Ldb { get; }

    public float* C { get; }

    public int Ldc { get; }

    public bool Accumulate { get; }
}
