namespace MlpTrainer.Kernels;

// TEMPORARY naive engine so the rest compiles; replaced by the packed engine before commit.
internal sealed class GemmEngine : IDisposable
{
    public GemmEngine(int threads) { Threads = threads; }
    public int Threads { get; }
    public void Multiply(Transpose transA, Transpose transB, int m, int n, int k, float[] a, int aOffset, int lda,
        float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float acc = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA == Transpose.No ? a[aOffset + i * lda + p] : a[aOffset + p * lda + i];
                    float bv = transB == Transpose.No ? b[bOffset + p * ldb + j] : b[bOffset + j * ldb + p];
                    acc = MathF.FusedMultiplyAdd(av, bv, acc);
                }
                c[cOffset + i * ldc + j] = accumulate ? c[cOffset + i * ldc + j] + acc : acc;
            }
    }
    public void Dispose() { }
}
