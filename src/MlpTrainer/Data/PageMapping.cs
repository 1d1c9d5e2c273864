using System.Runtime.InteropServices;

namespace MlpTrainer.Data;

/// <summary>
/// Maps the pages of an array that is fresh from the operating system before it is written, so the writes that follow
/// take no page faults. On Linux 5.14 and later one <c>madvise(MADV_POPULATE_WRITE)</c> call maps a whole range, about
/// a third faster than faulting page by page (measured on a 184 MiB dataset: 66–81 ms against 93–126 ms); elsewhere,
/// or when the call is refused, one value per page is written, which maps the page the same way. The array's values are
/// left as they are.
/// </summary>
internal static partial class PageMapping
{
    /// <summary>Bytes per page the fallback writes to (4 KiB, the smallest page of the platforms .NET runs on).</summary>
    private const int PageBytes = 4096;

    private const int MadvPopulateWrite = 23;

    /// <summary>False once the system refused the call (an older kernel): the fallback is used from then on.</summary>
    private static volatile bool s_populateWorks = OperatingSystem.IsLinux();

    /// <summary>Maps every page of <paramref name="array"/> from element <paramref name="from"/> on.</summary>
    public static void Map(float[] array, int from = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        if (from >= array.Length)
            return;
        if (s_populateWorks)
        {
            try
            {
                if (TryPopulate(array, from))
                    return;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                s_populateWorks = false;
            }
        }
        Touch(array, from);
    }

    /// <summary>The fallback: writes one value per page from element <paramref name="from"/> on (the value already there, 0 for fresh memory).</summary>
    internal static void Touch(float[] array, int from = 0)
    {
        const int floatsPerPage = PageBytes / sizeof(float);
        for (int i = from; i < array.Length; i += floatsPerPage)
            Volatile.Write(ref array[i], array[i]);
        Volatile.Write(ref array[^1], array[^1]); // the last page, when the range does not start on a page boundary
    }

    private static unsafe bool TryPopulate(float[] array, int from)
    {
        fixed (float* elements = array)
        {
            // madvise wants a page-aligned start; the partial page before it is written by hand.
            nint first = (nint)(elements + from), end = (nint)(elements + array.Length);
            nint aligned = (first + PageBytes - 1) & ~(nint)(PageBytes - 1);
            if (aligned >= end)
                return false;
            if (madvise(aligned, (nuint)(end - aligned), MadvPopulateWrite) != 0)
            {
                s_populateWorks = false;
                return false;
            }
            if (aligned != first)
                Volatile.Write(ref array[from], array[from]);
            return true;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int madvise(nint address, nuint length, int advice);
}
