using System.Globalization;
using FiberProduct.IO;

namespace FiberProduct.Formats;

/// <summary>
/// Bounds on what reading a Parquet or HDF5 embedding file may cost, so that a hostile or mistaken file fails with an
/// <see cref="InvalidDataException"/> before the memory is spent. Each bound is checked against the sizes the file
/// declares (Parquet's column chunk metadata, HDF5's dataspace and type) before the reference library is asked to
/// read the values; the same rules as <see cref="NpyReadLimits"/> for .npy and .npz.
/// </summary>
public sealed class FormatReadLimits
{
    /// <summary>The decompressed size up to which <see cref="MaxCompressionRatio"/> is not applied: small columns of
    /// repeated values legitimately compress a thousandfold, and 64 MiB is cheap to inflate.</summary>
    public const long CompressionRatioExemptBytes = NpyReadLimits.CompressionRatioExemptBytes;

    /// <summary>The defaults described on each property.</summary>
    public static FormatReadLimits Default { get; } = new();

    /// <summary>The most bytes the values of one embedding set may take: rows × dimension × 4 (float32) or 8
    /// (float64), and for Parquet also the declared value count of the column times the element size (the
    /// library's buffers). Default <see cref="NpyReadLimits.AvailableMemoryBytes"/>, the memory the process may
    /// use.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public long MaxArrayBytes
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value,
            string.Create(CultureInfo.InvariantCulture, $"A limit must be positive; {value} is not."));
    } = NpyReadLimits.AvailableMemoryBytes;

    /// <summary>The largest ratio of uncompressed to compressed bytes a Parquet column chunk may declare once it
    /// exceeds <see cref="CompressionRatioExemptBytes"/>. Snappy and zstd reach about 1.1 on float embeddings;
    /// only a decompression bomb declares more than 100. Default 100; <see cref="double.PositiveInfinity"/> turns
    /// the check off.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not at least 1 (or is NaN).</exception>
    public double MaxCompressionRatio
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value,
            "The compression ratio limit must be at least 1.");
    } = 100;
}
