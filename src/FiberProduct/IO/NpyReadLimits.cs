using System.Globalization;

namespace FiberProduct.IO;

/// <summary>
/// Bounds on what reading a .npy file or .npz archive may cost, so that a hostile or mistaken file fails with an
/// an <see cref="InvalidDataException"/> before the memory or time is spent. Every bound is checked before the
/// allocation or the decompression it guards; decompressed bytes are also counted while inflating, because the
/// sizes an archive declares can lie.
/// </summary>
/// <remarks>
/// The defaults refuse nothing a well-formed file of stored (uncompressed) data can hold on this machine, and refuse
/// what only a decompression bomb or a hostile header produces: a header longer than NumPy itself reads (10,000
/// characters, NumPy's <c>max_header_size</c>), a member that expands more than 100-fold past its first 64 MiB.
/// </remarks>
public sealed class NpyReadLimits
{
    /// <summary>The decompressed size up to which <see cref="MaxCompressionRatio"/> is not applied: small arrays
    /// of zeros legitimately compress a thousandfold, and 64 MiB is cheap to inflate.</summary>
    public const long CompressionRatioExemptBytes = 64L << 20;

    /// <summary>The memory the garbage collector reports as available to the process: physical memory, or the
    /// container's limit. Arrays larger than this cannot be held, so it is the default of the byte limits.</summary>
    public static long AvailableMemoryBytes { get; } =
        Math.Max(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, 1L << 30);

    /// <summary>The defaults described on each property (declared after <see cref="AvailableMemoryBytes"/>, which
    /// static initialisation must run first).</summary>
    public static NpyReadLimits Default { get; } = new();

    /// <summary>The longest header accepted, in characters as NumPy counts them (the decoded header; a v1.0 or
    /// v2.0 header is Latin-1, a v3.0 header UTF-8). Default 10,000, NumPy's own <c>max_header_size</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int MaxHeaderLength { get; init => field = Positive(value); } = 10_000;

    /// <summary>The most bytes one returned array may hold in memory (float16 data is held as float32, 4 bytes an
    /// element). Default <see cref="AvailableMemoryBytes"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public long MaxArrayBytes { get; init => field = Positive(value); } = AvailableMemoryBytes;

    /// <summary>The most bytes one .npz member may decompress to (its .npy header and data). Checked against the
    /// size the archive declares before inflating, and counted while inflating. Default
    /// <see cref="AvailableMemoryBytes"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public long MaxNpzMemberBytes { get; init => field = Positive(value); } = AvailableMemoryBytes;

    /// <summary>The most bytes all members of one .npz archive may decompress to together; a stream that cannot
    /// seek is first buffered in memory, and its length counts here too. Default
    /// <see cref="AvailableMemoryBytes"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public long MaxNpzTotalBytes { get; init => field = Positive(value); } = AvailableMemoryBytes;

    /// <summary>The largest ratio of decompressed to compressed bytes a .npz member may have once it exceeds
    /// <see cref="CompressionRatioExemptBytes"/>. Deflate reaches about 1,000 on constant data and about 1.1 on
    /// float embeddings; a member above the ratio is refused before it is inflated when its declared sizes show it,
    /// and as soon as its inflated bytes do. Default 100; <see cref="double.PositiveInfinity"/> turns the
    /// check off.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not at least 1 (or is NaN).</exception>
    public double MaxCompressionRatio
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value,
            "The compression ratio limit must be at least 1.");
    } = 100;

    private static T Positive<T>(T value) where T : System.Numerics.INumber<T> => value > T.Zero ? value
        : throw new ArgumentOutOfRangeException(nameof(value), value,
            string.Create(CultureInfo.InvariantCulture, $"A limit must be positive; {value} is not."));
}
