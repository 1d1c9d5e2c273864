using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlpTrainer.Model;

namespace MlpTrainer.Data;

/// <summary>
/// One pass over the rows of a data view through a single row cursor: yields each usable row's features, target
/// (the 0-based class for multiclass, 1/0 for binary, the value for regression) and weight, and skips and counts rows
/// with a missing label (key 0, NaN), a negative, NaN or infinite weight, or a NaN or infinite feature, as ML.NET's
/// trainers do. A row's features stay as the data view gave them (dense or sparse) until a caller copies them where it
/// needs them. Reading a row allocates nothing: the getters and the vector buffer are reused.
/// </summary>
internal sealed class DataViewRowReader : IDisposable
{
    private readonly DataViewRowCursor _cursor;
    private readonly ValueGetter<VBuffer<float>> _getFeatures;
    private readonly Func<float> _getTarget;
    private readonly ValueGetter<float>? _getWeight;
    private readonly CancellationToken _cancellation;
    private readonly string _featureColumn;
    private VBuffer<float> _buffer;

    public DataViewRowReader(DataViewColumns columns, CancellationToken cancellation = default)
    {
        var active = new List<DataViewSchema.Column> { columns.Features, columns.Label };
        if (columns.Weight is { } weight)
            active.Add(weight);
        _cursor = columns.Data.GetRowCursor(active);
        _getFeatures = _cursor.GetGetter<VBuffer<float>>(columns.Features);
        _getTarget = TargetReader(_cursor, columns.Label, columns.Task, columns.ClassCount);
        _getWeight = columns.Weight is { } w ? _cursor.GetGetter<float>(w) : null;
        _cancellation = cancellation;
        FeatureCount = columns.FeatureCount;
        _featureColumn = columns.Features.Name;
    }

    public int FeatureCount { get; }

    public long SkippedMissingLabel { get; private set; }

    public long SkippedBadFeatures { get; private set; }

    public long SkippedBadWeight { get; private set; }

    /// <summary>The position in the data view (counting skipped rows) of the row the last <see cref="Read(out float, out float)"/> returned.</summary>
    public long Position => _cursor.Position;

    /// <summary>
    /// The features of the row the last <see cref="Read(out float, out float)"/> returned, as the data view gave them (dense
    /// or sparse); valid until the next read.
    /// </summary>
    public VBuffer<float> Features => _buffer;

    /// <summary>
    /// Moves to the next usable row; false at the end of the data. Its features are then in <see cref="Features"/>: only
    /// the stored values are checked (a sparse row's implicit zeros are finite), and nothing is copied.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Read(out float target, out float weight)
    {
        while (_cursor.MoveNext())
        {
            _cancellation.ThrowIfCancellationRequested();
            target = _getTarget();
            if (float.IsNaN(target))
            {
                SkippedMissingLabel++;
                continue;
            }
            weight = 1f;
            if (_getWeight is not null)
            {
                _getWeight(ref weight);
                if (!(weight >= 0 && float.IsFinite(weight)))
                {
                    SkippedBadWeight++;
                    continue;
                }
            }
            _getFeatures(ref _buffer);
            if (_buffer.Length != FeatureCount)
                throw new InvalidOperationException($"Row {_cursor.Position} of the feature column '{_featureColumn}' has {_buffer.Length} values; the column's type says {FeatureCount}.");
            if (!Kernels.RowKernel.AllFinite(_buffer.GetValues()))
            {
                SkippedBadFeatures++;
                continue;
            }
            return true;
        }
        target = 0;
        weight = 0;
        return false;
    }

    /// <summary>The non-zero values among the stored values of the row last read.</summary>
    public int NonZeroCount => SparseVector.CountNonZeros(_buffer.GetValues());

    public void Dispose() => _cursor.Dispose();

    /// <summary>Reads a row's target: the 0-based class for keys (NaN for a missing key), 1/0 for Boolean, the value for Single (NaN or infinite = missing).</summary>
    private static Func<float> TargetReader(DataViewRowCursor cursor, DataViewSchema.Column column, MlpTask task, int classes)
    {
        if (task == MlpTask.Binary)
        {
            var g = cursor.GetGetter<bool>(column);
            bool v = false;
            return () => { g(ref v); return v ? 1f : 0f; };
        }
        if (task == MlpTask.Regression)
        {
            var g = cursor.GetGetter<float>(column);
            float v = 0;
            return () => { g(ref v); return float.IsFinite(v) ? v : float.NaN; };
        }
        Func<ulong> key = KeyReader(cursor, column);
        return () =>
        {
            ulong k = key();
            return k == 0 || k > (ulong)classes ? float.NaN : k - 1;
        };
    }

    private static Func<ulong> KeyReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        switch (column.Type.RawType)
        {
            case var t when t == typeof(byte): { var g = cursor.GetGetter<byte>(column); byte v = 0; return () => { g(ref v); return v; }; }
            case var t when t == typeof(ushort): { var g = cursor.GetGetter<ushort>(column); ushort v = 0; return () => { g(ref v); return v; }; }
            case var t when t == typeof(uint): { var g = cursor.GetGetter<uint>(column); uint v = 0; return () => { g(ref v); return v; }; }
            case var t when t == typeof(ulong): { var g = cursor.GetGetter<ulong>(column); ulong v = 0; return () => { g(ref v); return v; }; }
            default: throw new ArgumentOutOfRangeException(column.Name, $"The label column '{column.Name}' has key type over {column.Type.RawType.Name}, which is not supported.");
        }
    }
}
