using System.Runtime.InteropServices;

namespace FiberProduct.Fiber.Kernels;

/// <summary>
/// Working arrays of many megabytes (packed texts, heads, pair buffers), backed by 2 MiB pages where
/// the operating system allows it.
/// </summary>
/// <remarks>
/// Why: the first write to each 4 KiB page of fresh memory is a page fault, and on a virtual machine a fault costs
/// about 10 µs — on the machine the figures in docs/performance.md come from, filling a fresh 40 MB array takes
/// 120–240 ms and filling it again 2 ms, more than the arithmetic a single cold join does on it. Linux with
/// transparent huge pages in "madvise" mode (the Debian and Ubuntu default) backs a range with 2 MiB pages when asked
/// by <c>madvise(MADV_HUGEPAGE)</c>: 512 times fewer faults. The advice is only a hint: contents and semantics are
/// those of an ordinary array, and where it is refused or unavailable nothing changes but the speed.
/// </remarks>
internal static partial class LargeArrays
{
    private const long HugePage = 2 << 20;
    private const int AdviceHugePage = 14; // MADV_HUGEPAGE (asm-generic/mman-common.h, which x64 and arm64 use)

    private static bool adviceUnavailable = !OperatingSystem.IsLinux()
        || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64);

    /// <summary>A zeroed array; one of at least a huge page never moves and is advised onto huge pages first.</summary>
    public static T[] Allocate<T>(long length) where T : unmanaged
    {
        var array = AllocateUninitialized<T>(length);
        array.AsSpan().Clear();
        return array;
    }

    /// <summary>
    /// The same without clearing, for callers that write every element before reading it: its pages are first touched
    /// where the caller writes them (by its workers, in parallel), and not at all where it never writes.
    /// </summary>
    /// <remarks>
    /// Smaller arrays are ordinary ones: pinned arrays live on the pinned-object heap, which only a full (generation 2)
    /// collection reclaims, so small per-query arrays there would make repeated queries collect the whole heap.
    /// </remarks>
    public static unsafe T[] AllocateUninitialized<T>(long length) where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length * sizeof(T) < HugePage) return GC.AllocateUninitializedArray<T>(checked((int)length));
        var array = GC.AllocateUninitializedArray<T>(checked((int)length), pinned: true);
        fixed (T* p = array) Advise((nint)p, length * sizeof(T));
        return array;
    }

    /// <summary>Advises the whole huge pages inside [start, start + bytes) (only those can be backed by one).</summary>
    private static void Advise(nint start, long bytes)
    {
        if (adviceUnavailable) return;
        nint first = (nint)((start + HugePage - 1) & ~(HugePage - 1)), end = (nint)((start + bytes) & ~(HugePage - 1));
        if (end <= first) return;
        try
        {
            // A refusal (EINVAL: a kernel without transparent huge pages) changes nothing; do not ask again.
            if (Madvise(first, (nuint)(end - first), AdviceHugePage) != 0) adviceUnavailable = true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            adviceUnavailable = true;
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
