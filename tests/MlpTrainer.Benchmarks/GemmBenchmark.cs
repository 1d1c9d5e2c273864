using System.Diagnostics;
using MlpTrainer.Kernels;

namespace MlpTrainer.Benchmarks;

/// <summary>GFLOP/s of the matrix products one training step of the standard workload runs, and a square ceiling.</summary>
internal static class GemmBenchmark
{
    private static readonly (string Name, Transpose A, Transpose B, int M, int N, int K)[] Shapes =
    {
        ("forward 1   X·Wᵀ", Transpose.No, Transpose.Yes, 128, 256, 784),
        ("forward 2   X·Wᵀ", Transpose.No, Transpose.Yes, 128, 128, 256),
        ("forward 3   X·Wᵀ", Transpose.No, Transpose.Yes, 128, 10, 128),
        ("input grad 2 δ·W", Transpose.No, Transpose.No, 128, 256, 128),
        ("input grad 3 δ·W", Transpose.No, Transpose.No, 128, 128, 10),
        ("weight grad 1 δᵀ·X", Transpose.Yes, Transpose.No, 256, 784, 128),
        ("weight grad 2 δᵀ·X", Transpose.Yes, Transpose.No, 128, 256, 128),
        ("weight grad 3 δᵀ·X", Transpose.Yes, Transpose.No, 10, 128, 128),
    };

    public static int Run(int threads)
    {
        using var engine = new GemmEngine(threads);
        foreach (var s in Shapes)
            Console.WriteLine($"{s.Name,-20} {s.M,5}×{s.N,-4}×{s.K,-4} {Measure(engine, s.A, s.B, s.M, s.N, s.K),7:F1} GFLOP/s");
        Console.WriteLine($"{"ceiling (1024³)",-20} {"",15} {Ceiling(threads),7:F1} GFLOP/s   ({threads} threads)");
        return 0;
    }

    /// <summary>The best GFLOP/s of a large square product: the figure the training speed is compared with.</summary>
    public static double Ceiling(int threads)
    {
        using var engine = new GemmEngine(threads);
        return Measure(engine, Transpose.No, Transpose.No, 1024, 1024, 1024);
    }

    private static double Measure(GemmEngine engine, Transpose ta, Transpose tb, int m, int n, int k)
    {
        var random = new Random(1);
        float[] a = Enumerable.Range(0, m * k).Select(_ => random.NextSingle()).ToArray();
        float[] b = Enumerable.Range(0, k * n).Select(_ => random.NextSingle()).ToArray();
        float[] c = new float[m * n];
        int lda = ta == Transpose.No ? k : m, ldb = tb == Transpose.No ? n : k;
        double flops = 2.0 * m * n * k;
        int reps = Math.Max(3, (int)(2e9 / flops));
        double best = 0;
        for (int trial = 0; trial < 5; trial++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int r = 0; r < reps; r++)
                engine.Multiply(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, accumulate: false);
            best = Math.Max(best, flops * reps / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
        }
        return best;
    }
}
