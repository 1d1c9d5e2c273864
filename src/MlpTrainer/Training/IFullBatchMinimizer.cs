namespace MlpTrainer.Training;

/// <summary>
/// A quasi-Newton minimiser of a smooth full-batch objective (ML.NET's L-BFGS behind <see cref="MlpOptimizer.Lbfgs"/>,
/// adapted in <c>MlNet/</c>). <see cref="LbfgsSolver"/> decides what an iteration means to the run; this only moves the
/// point.
/// </summary>
internal interface IFullBatchMinimizer
{
    /// <summary>
    /// Minimises <paramref name="objective"/> from <paramref name="start"/>, keeping the last <paramref name="historySize"/>
    /// pairs of steps and gradient changes. After every accepted iterate it calls <paramref name="onIteration"/> with the
    /// point and the gradient there, and stops when that returns true. Returns true when it stopped because the line
    /// search could make no more progress (the last iterate handed to <paramref name="onIteration"/> is then the result).
    /// </summary>
    bool Minimize(ReadOnlySpan<float> start, int historySize, FullBatchFunction objective, Func<ReadOnlyMemory<float>, ReadOnlyMemory<float>, bool> onIteration);
}

/// <summary>The objective's value at <paramref name="point"/>, with its gradient written to <paramref name="gradient"/>.</summary>
internal delegate double FullBatchFunction(ReadOnlySpan<float> point, Span<float> gradient);
