using System.Globalization;

namespace FiberProduct.Imaging;

/// <summary>
/// Limits for <see cref="ImageFile"/>, checked before memory is allocated for what a header claims. A decoded image
/// takes at most 4 × <see cref="MaxPixels"/> bytes (RGBA); the decoder's working memory is a small multiple of that.
/// </summary>
public sealed record ImageReadOptions
{
    /// <summary>The default limit on width × height: 2^26 pixels (for instance 8192 × 8192).</summary>
    public const long DefaultMaxPixels = 1L << 26;

    /// <summary>The default limit on the file's size: 256 MiB.</summary>
    public const long DefaultMaxFileBytes = 1L << 28;

    /// <summary>The defaults.</summary>
    public static ImageReadOptions Default { get; } = new();

    /// <summary>The largest width × height decoded; a larger image is refused from its header.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public long MaxPixels
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxPixels), value,
            "The pixel limit must be at least 1.");
    } = DefaultMaxPixels;

    /// <summary>The largest file (or stream) read, in bytes; a larger one is refused before it is read into memory.
    /// At most <see cref="Array.MaxLength"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1 or above
    /// <see cref="Array.MaxLength"/>.</exception>
    public long MaxFileBytes
    {
        get;
        init => field = value is >= 1 and <= int.MaxValue && value <= Array.MaxLength ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxFileBytes), value,
                string.Create(CultureInfo.InvariantCulture,
                    $"The file-size limit must lie in 1 … {Array.MaxLength}."));
    } = DefaultMaxFileBytes;
}
