using MlpTrainer.Kernels;
using System;

namespace MlpTrainer.Tests.Kernels.Gemm;

/// <summary>Plain triple-loop products used as test oracles.</summary>
internal static class ReferenceGemm
{
    /// <summary>
    /// The exact product in double precision (from float inputs), plus for every element the
    /// magnitude Σ|op(A)[i,p]·op(B)[p,j]| (+ |C| when accumulating) that bounds its rounding error.
    /// </summary>
    public static (double[] Product, double[] Magnitude) InDouble(GemmCase g)
    {
        var product = new double[g.M * g.N];
        var magnitude = new double[g.M * g.N];
        for (int i = 0; i < g.M; i++)
        {
            for (int j = 0; j < g.N; j++)
            {
                double sum = g.Accumulate ? g.InitialC[g.CIndex(i, j)] : 0;
                double abs = Math.Abs(sum);
                for (int p = 0; p < g.K; p++)
                {
                    double term = (double)g.OpA(i, p) * g.OpB(p, j);
                    sum += term;
                    abs += Math.Abs(term);
                }

                product[i * g.N + j] = sum;
                magnitude[i * g.N + j] = abs;
            }
        }

        return (product, magnitude);
    }

    /// <summary>
    /// The product computed exactly as <see cref="GemmEngine"/>'s determinism contract prescribes:
    /// per K block (blocks from <see cref="GemmBlocking.KBlockLength"/>), acc = 0 then
    /// acc = fma(a, b, acc) in increasing k, then C = acc for the first block without accumulate,
    /// else C = C + acc. Returns the whole C array.
    /// </summary>
    public static float[] FollowingContract(GemmCase g)
    {
        float[] c = (float[])g.InitialC.Clone();
        if (g.K == 0)
        {
            for (int i = 0; i < g.M && !g.Accumulate; i++)
            {
                Array.Clear(c, g.CIndex(i, 0), g.N);
            }

            return c;
        }

        int blockLength = GemmBlocking.KBlockLength(g.K);
        for (int i = 0; i < g.M; i++)
        {
            for (int j = 0; j < g.N; j++)
            {
                for (int k0 = 0; k0 < g.K; k0 += blockLength)
                {
                    float acc = 0;
                    for (int p = k0; p < Math.Min(k0 + blockLength, g.K); p++)
                    {
                        acc = MathF.FusedMultiplyAdd(g.OpA(i, p), g.OpB(p, j), acc);
                    }

                    int index = g.CIndex(i, j);
                    c[index] = k0 == 0 && !g.Accumulate ? acc : c[index] + acc;
                }
            }
        }

        return c;
    }
}
