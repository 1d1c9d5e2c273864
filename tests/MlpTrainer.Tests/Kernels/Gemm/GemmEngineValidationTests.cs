using MlpTrainer.Kernels;
using System;
using Xunit;

namespace MlpTrainer.Tests.Kernels.Gemm;

public sealed class GemmEngineValidationTests : IDisposable
{
    private readonly GemmEngine _engine = new(2);

    public void Dispose() => _engine.Dispose();

    /// <summary>A valid call: op(A) 8×6 stored transposed (6×8, lda 9), op(B) 6×5 (ldb 5), C 8×5 (ldc 7).</summary>
    private static Args Valid() => new(
        Transpose.Yes, Transpose.No, M: 8, N: 5, K: 6,
        A: new float[2 + 5 * 9 + 8], AOffset: 2, Lda: 9,
        B: new float[6 * 5], BOffset: 0, Ldb: 5,
        C: new float[1 + 7 * 7 + 5], COffset: 1, Ldc: 7);

    [Fact]
    public void TheValidBaselineCallComputesTheProduct()
    {
        Args args = Fill(Valid());
        float[] a = (float[])args.A.Clone(), b = (float[])args.B.Clone();

        Invoke(args);

        AssertProduct(args, a, b);
    }

    [Theory]
    [InlineData("m")]
    [InlineData("n")]
    [InlineData("k")]
    public void NegativeSizeThrowsArgumentOutOfRangeNamingIt(string name)
    {
        Args args = name switch
        {
            "m" => Valid() with { M = -1 },
            "n" => Valid() with { N = -1 },
            _ => Valid() with { K = -1 },
        };

        AssertThrowsNamingParameter<ArgumentOutOfRangeException>(args, name);
    }

    [Theory]
    [InlineData("aOffset")]
    [InlineData("bOffset")]
    [InlineData("cOffset")]
    public void NegativeOffsetThrowsArgumentOutOfRangeNamingIt(string name)
    {
        Args args = name switch
        {
            "aOffset" => Valid() with { AOffset = -1 },
            "bOffset" => Valid() with { BOffset = -1 },
            _ => Valid() with { COffset = -1 },
        };

        AssertThrowsNamingParameter<ArgumentOutOfRangeException>(args, name);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("b")]
    [InlineData("c")]
    public void ArrayTooShortByOneElementThrowsArgumentExceptionNamingIt(string name)
    {
        Args valid = Valid();
        Args args = name switch
        {
            "a" => valid with { A = new float[valid.A.Length - 1] },
            "b" => valid with { B = new float[valid.B.Length - 1] },
            _ => valid with { C = new float[valid.C.Length - 1] },
        };

        AssertThrowsNamingParameter<ArgumentException>(args, name);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("b")]
    [InlineData("c")]
    public void NullArrayThrowsArgumentNullNamingIt(string name)
    {
        Args args = name switch
        {
            "a" => Valid() with { A = null! },
            "b" => Valid() with { B = null! },
            _ => Valid() with { C = null! },
        };

        AssertThrowsNamingParameter<ArgumentNullException>(args, name);
    }

    [Theory]
    [InlineData(false, 5)] // stored A is 8×6: lda must be ≥ 6
    [InlineData(true, 7)] // stored A is 6×8: lda must be ≥ 8
    public void LdaSmallerThanTheStoredRowLengthThrowsNamingIt(bool transA, int lda)
    {
        Args args = Valid() with { TransA = transA ? Transpose.Yes : Transpose.No, Lda = lda, A = new float[1000] };

        AssertThrowsNamingParameter<ArgumentOutOfRangeException>(args, "lda");
    }

    [Theory]
    [InlineData(false, 4)] // stored B is 6×5: ldb must be ≥ 5
    [InlineData(true, 5)] // stored B is 5×6: ldb must be ≥ 6
    public void LdbSmallerThanTheStoredRowLengthThrowsNamingIt(bool transB, int ldb)
    {
        Args args = Valid() with { TransB = transB ? Transpose.Yes : Transpose.No, Ldb = ldb, B = new float[1000] };

        AssertThrowsNamingParameter<ArgumentOutOfRangeException>(args, "ldb");
    }

    [Fact]
    public void LdcSmallerThanNThrowsNamingIt()
    {
        AssertThrowsNamingParameter<ArgumentOutOfRangeException>(Valid() with { Ldc = 4 }, "ldc");
    }

    [Fact]
    public void UndefinedTransposeValueThrowsNamingIt()
    {
        AssertThrowsNamingParameter<ArgumentOutOfRangeException>(Valid() with { TransB = (Transpose)7 }, "transB");
    }

    [Fact]
    public void OverlappingCAndAThrowsNamingC()
    {
        Args valid = Valid();
        var shared = new float[200];
        AssertThrowsNamingParameter<ArgumentException>(valid with { A = shared, AOffset = 0, C = shared, COffset = 40 }, "c");
    }

    [Fact]
    public void DisjointRegionsOfOneArrayAreAccepted()
    {
        var shared = new float[300];
        Args args = Fill(Valid() with { A = shared, AOffset = 0, B = shared, BOffset = 60, C = shared, COffset = 100 });
        float[] inputs = (float[])shared.Clone(); // A and B as they were before C, in the same array, was written

        Invoke(args);

        AssertProduct(args, inputs, inputs);
    }

    [Fact]
    public void ArrayLengthOverflowIsCaughtNotWrappedAround()
    {
        Args args = Valid() with { M = 2, Ldc = int.MaxValue, C = new float[10] };

        AssertThrowsNamingParameter<ArgumentException>(args, "c");
    }

    [Fact]
    public void ZeroThreadsIsRejected()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new GemmEngine(0));
        Assert.Equal("threads", exception.ParamName);
    }

    [Fact]
    public void MultiplyAfterDisposeThrowsObjectDisposed()
    {
        var engine = new GemmEngine(2);
        engine.Dispose();
        engine.Dispose();

        Assert.Throws<ObjectDisposedException>(() => Invoke(Valid(), engine));
    }

    private void AssertThrowsNamingParameter<TException>(Args args, string parameterName)
        where TException : ArgumentException
    {
        float[]? before = (float[]?)args.C?.Clone();

        var exception = Assert.Throws<TException>(() => Invoke(args));

        Assert.Equal(parameterName, exception.ParamName);
        if (before is not null)
        {
            Assert.Equal(before, args.C); // rejected before any element was written
        }
    }

    /// <summary>Gives every element of A and B (and C, which the product overwrites) a distinct small value.</summary>
    private static Args Fill(Args args)
    {
        var random = new Random(3);
        foreach (float[] array in new[] { args.A, args.B, args.C }.Distinct())
        {
            for (int i = 0; i < array.Length; i++)
                array[i] = random.Next(-8, 9) / 4f;
        }
        return args;
    }

    /// <summary>C's M×N block equals op(A)·op(B) of <paramref name="a"/> and <paramref name="b"/> (copies of the inputs taken before the call), summed in double: quarters of small integers, so exact.</summary>
    private static void AssertProduct(Args args, float[] a, float[] b)
    {
        for (int i = 0; i < args.M; i++)
        {
            for (int j = 0; j < args.N; j++)
            {
                double sum = 0;
                for (int k = 0; k < args.K; k++)
                {
                    float aik = args.TransA == Transpose.No ? a[args.AOffset + i * args.Lda + k] : a[args.AOffset + k * args.Lda + i];
                    float bkj = args.TransB == Transpose.No ? b[args.BOffset + k * args.Ldb + j] : b[args.BOffset + j * args.Ldb + k];
                    sum += (double)aik * bkj;
                }
                Assert.Equal((float)sum, args.C[args.COffset + i * args.Ldc + j]);
            }
        }
    }

    private void Invoke(Args x) => Invoke(x, _engine);

    private static void Invoke(Args x, GemmEngine engine) =>
        engine.Multiply(x.TransA, x.TransB, x.M, x.N, x.K, x.A, x.AOffset, x.Lda, x.B, x.BOffset, x.Ldb, x.C, x.COffset, x.Ldc, accumulate: false);

    private sealed record Args(
        Transpose TransA, Transpose TransB, int M, int N, int K,
        float[] A, int AOffset, int Lda,
        float[] B, int BOffset, int Ldb,
        float[] C, int COffset, int Ldc);
}
