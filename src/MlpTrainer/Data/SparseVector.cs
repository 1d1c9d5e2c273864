using System.Runtime.CompilerServices;
using Microsoft.ML.Data;

namespace MlpTrainer.Data;

/// <summary>
/// The conversions between a row's dense and sparse forms that the datasets, the shuffle buffer and the minibatch
/// share: counting and copying a row's non-zero entries (explicit zeros of a sparse row dropped too), and scattering
/// sparse entries into a dense row.
/// </summary>
internal static class SparseVector
{
    /// <summary>The non-zero values among <paramref name="values"/>.</summary>
    public static int CountNonZeros(ReadOnlySpan<float> values) => values.Length - values.Count(0f);

    /// <summary>Writes a dense row's non-zero entries (slot, value) to the start of the destinations; returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int CopyNonZeros(ReadOnlySpan<float> dense, Span<int> indices, Span<float> values)
    {
        int n = 0;
        for (int j = 0; j < dense.Length; j++)
        {
            float v = dense[j];
            if (v != 0)
            {
                indices[n] = j;
                values[n++] = v;
            }
        }
        return n;
    }

    /// <summary>Writes a sparse row's entries (<paramref name="slots"/>, <paramref name="stored"/>) that are not zero to the start of the destinations; returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int CopyNonZeros(ReadOnlySpan<int> slots, ReadOnlySpan<float> stored, Span<int> indices, Span<float> values)
    {
        int n = 0;
        for (int k = 0; k < stored.Length; k++)
        {
            float v = stored[k];
            if (v != 0)
            {
                indices[n] = slots[k];
                values[n++] = v;
            }
        }
        return n;
    }

    /// <summary>Writes the non-zero entries of a vector, dense or sparse, to the start of the destinations; returns how many.</summary>
    public static int CopyNonZeros(in VBuffer<float> row, Span<int> indices, Span<float> values)
        => row.IsDense ? CopyNonZeros(row.GetValues(), indices, values) : CopyNonZeros(row.GetIndices(), row.GetValues(), indices, values);

    /// <summary>dense = the row given by its entries (<paramref name="slots"/>, <paramref name="values"/>), zeros elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scatter(ReadOnlySpan<int> slots, ReadOnlySpan<float> values, Span<float> dense)
    {
        dense.Clear();
        for (int k = 0; k < slots.Length; k++)
            dense[slots[k]] = values[k];
    }
}
