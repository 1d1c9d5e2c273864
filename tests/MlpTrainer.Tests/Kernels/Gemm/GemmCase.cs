using MlpTrainer.Kernels;
using System;

namespace MlpTrainer.Tests.Kernels.Gemm;

/// <summary>
/// One GEMM problem with its operands stored as submatrices of larger arrays: every operand has a
/// non-zero offset and a leading dimension wider than its rows, and the arrays are filled with
/// random values everywhere, so reading or writing outside the submatrices shows up in results.
/// </summary>
internal sealed class GemmCase
{
    private const int Offset = 5;
    private const int RowPadding = 3;

    public GemmCase(Transpose transA, Transpose transB, int m, int n, int k, bool accumulate, int seed = 1)
    {
        TransA = transA;
        TransB = transB;
        M = m;
        N = n;
        K = k;
        Accumulate = accumulate;

        var random = new Random(seed);
        (int aRows, int aCols) = transA == Transpose.No ? (m, k) : (k, m);
        (int bRows, int bCols) = transB == Transpose.No ? (k, n) : (n, k);
        Lda = aCols + RowPadding;
        Ldb = bCols + RowPadding;
        Ldc = n + RowPadding;
        A = RandomArray(Offset + aRows * Lda + 1, random);
        B = RandomArray(Offset + bRows * Ldb + 2, random);
        InitialC = RandomArray(Offset + m * Ldc + 3, random);
    }

    public Transpose TransA { get; }

    public Transpose TransB { get; }

    public int M { get; }

    public int N { get; }

    public int K { get; }

    public bool Accumulate { get; }

    public int Lda { get; }

    public int Ldb { get; }

    public int Ldc { get; }

    public float[] A { get; }

    public float[] B { get; }

    /// <summary>C's storage before the product (also holds the values outside the C submatrix).</summary>
    public float[] InitialC { get; }

    public int AOffset => Offset;

    public int BOffset => Offset + 1;

    public int COffset => Offset + 2;

    public override string ToString() =>
        $"m={M} n={N} k={K} transA={TransA} transB={TransB} accumulate={Accumulate}";

    /// <summary>op(A)[i, p].</summary>
    public float OpA(int i, int p) => TransA == Transpose.No ? A[AOffset + i * Lda + p] : A[AOffset + p * Lda + i];

    /// <summary>op(B)[p, j].</summary>
    public float OpB(int p, int j) => TransB == Transpose.No ? B[BOffset + p * Ldb + j] : B[BOffset + j * Ldb + p];

    /// <summary>Index of C[i, j] in the C array.</summary>
    public int CIndex(int i, int j) => COffset + i * Ldc + j;

    /// <summary>Runs the product on <paramref name="engine"/> and returns the whole C array.</summary>
    public float[] Run(GemmEngine engine)
    {
        float[] c = (float[])InitialC.Clone();
        engine.Multiply(TransA, TransB, M, N, K, A, AOffset, Lda, B, BOffset, Ldb, c, COffset, Ldc, Accumulate);
        return c;
    }

    private static float[] RandomArray(int length, Random random)
    {
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return values;
    }
}
