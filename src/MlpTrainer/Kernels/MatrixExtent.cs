using System;

namespace MlpTrainer.Kernels;

/// <summary>
/// The index range [Start, End) of an array that a row-major matrix operand occupies; built by
/// <see cref="Validate"/>, which checks the operand before any memory is touched.
/// </summary>
internal readonly struct MatrixExtent
{
    private MatrixExtent(long start, long end)
    {
        Start = start;
        End = end;
    }

    public long Start { get; }

    public long End { get; }

    /// <summary>
    /// Checks that <paramref name="array"/> holds a rows × cols matrix at <paramref name="offset"/>
    /// with row stride <paramref name="ld"/> (ld ≥ max(1, cols)), and returns the range it spans
    /// (empty when the matrix is).
    /// </summary>
    public static MatrixExtent Validate(float[] array, int offset, int ld, int rows, int cols, string arrayName, string offsetName, string ldName)
    {
        ArgumentNullException.ThrowIfNull(array, arrayName);
        if (offset < 0)
        {
            throw new ArgumentOutOfRangeException(offsetName, offset, "Offset must not be negative.");
        }

        if (ld < Math.Max(1, cols))
        {
            throw new ArgumentOutOfRangeException(ldName, ld, $"Leading dimension must be at least max(1, {cols}), the stored row length.");
        }

        if (rows == 0 || cols == 0)
        {
            return new MatrixExtent(offset, offset);
        }

        long end = offset + (long)(rows - 1) * ld + cols;
        if (end > array.Length)
        {
            throw new ArgumentException(
                $"Array of length {array.Length} is too short for a {rows}×{cols} matrix at offset {offset} with leading dimension {ld} (needs {end}).",
                arrayName);
        }

        return new MatrixExtent(offset, end);
    }

    /// <summary>Whether the two ranges share an index.</summary>
    public bool Overlaps(MatrixExtent other) => Start < other.End && other.Start < End;
}
