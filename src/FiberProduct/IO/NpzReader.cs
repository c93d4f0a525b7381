using System.Globalization;
using System.IO.Compression;

namespace FiberProduct.IO;

/// <summary>
/// Reads a .npz archive (a zip of .npy members) within <see cref="NpyReadLimits"/>. A member's declared sizes are
/// checked against the limits before it is inflated, and its inflated bytes are counted against its declaration
/// while it is read, so a decompression bomb is refused whether it declares its size or lies about it.
/// </summary>
internal static class NpzReader
{
    public static IReadOnlyDictionary<string, NpyArray> Read(Stream stream, NpyReadLimits limits, string name)
    {
        Exception Fail(string reason, Exception? inner = null) => NpyError.Create(name, null, reason, inner);
        Stream archive = stream.CanSeek ? stream : Buffer(stream, limits, Fail);
        long start = archive.Position;
        Span<byte> prefix = stackalloc byte[8];
        int got = archive.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        archive.Position = start;
        if (NpyHeader.LooksLikeNpy(prefix[..got]))
            throw Fail("this is a .npy file, not a .npz archive; read it with Npy.Read.");

        ZipArchive zip;
        List<ZipArchiveEntry> entries;
        try
        {
            zip = new ZipArchive(archive, ZipArchiveMode.Read, leaveOpen: true);
            entries = [.. zip.Entries];
        }
        catch (Exception e) when (IsZipFailure(e))
        {
            throw Fail("not a readable zip archive (" + e.Message + ")", e);
        }
        using (zip)
        {
            // NumPy's NpzFile opens a name through zipfile, which finds the last member of that name.
            var members = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var entry in entries)
                if (entry.FullName.EndsWith(".npy", StringComparison.Ordinal)) members[entry.FullName] = entry;

            var result = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
            long total = 0;
            foreach (var (fullName, entry) in members)
            {
                result[fullName[..^4]] = ReadMember(entry, limits, name, total);
                total += entry.Length;
            }
            return result;
        }
    }

    private static NpyArray ReadMember(ZipArchiveEntry entry, NpyReadLimits limits, string name, long totalSoFar)
    {
        string member = entry.FullName;
        Exception Fail(string reason) => NpyError.Create(name, member, reason);
        long declared = entry.Length, compressed = entry.CompressedLength;
        if (declared < 0 || compressed < 0) throw Fail("the archive declares a negative size for the member.");
        if (declared > limits.MaxNpzMemberBytes)
            throw Fail(string.Create(CultureInfo.InvariantCulture,
                $"the member declares {declared} bytes decompressed, "
                + $"more than NpyReadLimits.MaxNpzMemberBytes ({limits.MaxNpzMemberBytes})."));
        if (declared > limits.MaxNpzTotalBytes - totalSoFar)
            throw Fail(string.Create(CultureInfo.InvariantCulture,
                $"the members read so far and this one declare {totalSoFar + declared} bytes decompressed, "
                + $"more than NpyReadLimits.MaxNpzTotalBytes ({limits.MaxNpzTotalBytes})."));
        if (declared > NpyReadLimits.CompressionRatioExemptBytes
            && declared > Math.Max(compressed, 1) * limits.MaxCompressionRatio)
            throw Fail(string.Create(CultureInfo.InvariantCulture,
                $"the member declares {declared} bytes decompressed from {compressed}, "
                + $"a ratio above NpyReadLimits.MaxCompressionRatio ({limits.MaxCompressionRatio}); "
                + $"data that compresses this well is what a decompression bomb is made of."));
        try
        {
            using var inflated = new BoundedInflateStream(entry.Open(), declared, Fail);
            var array = Npy.ReadArray(inflated, limits, name, member, declared);
            inflated.ReadByte(); // past the declared size: the bounded stream throws if the member inflates further
            if (inflated.Delivered != declared || inflated.Crc != entry.Crc32)
                throw Fail(string.Create(CultureInfo.InvariantCulture,
                    $"the member's data does not match the CRC-32 the archive records ({inflated.Crc:X8}, recorded "
                    + $"{entry.Crc32:X8}): the archive is corrupt or truncated."));
            return array;
        }
        catch (Exception e) when (IsZipFailure(e))
        {
            throw NpyError.Create(name, member, "the member could not be inflated (" + e.Message + ")", e);
        }
    }

    /// <summary>What System.IO.Compression throws on a malformed archive or member: wrapped, so that the caller sees
    /// one exception type for any content. Our own pass through.</summary>
    private static bool IsZipFailure(Exception e) => !NpyError.IsOurs(e)
        && e is InvalidDataException or IOException or NotSupportedException or ArgumentException or OverflowException
            or InvalidOperationException or IndexOutOfRangeException;

    /// <summary>A stream that cannot seek is copied to memory (ZipArchive would do so too, without a bound).</summary>
    private static MemoryStream Buffer(Stream stream, NpyReadLimits limits, Func<string, Exception?, Exception> fail)
    {
        long cap = Math.Min(limits.MaxNpzTotalBytes, Array.MaxLength);
        var copy = new MemoryStream();
        var chunk = new byte[81920];
        int got;
        while ((got = stream.Read(chunk)) > 0)
        {
            if (copy.Length + got > cap)
                throw fail(string.Create(CultureInfo.InvariantCulture,
                    $"the archive comes from a stream that cannot seek and is longer than {cap} bytes "
                    + $"(NpyReadLimits.MaxNpzTotalBytes, or the 2 GiB a memory buffer holds); save it to a file."),
                        null);
            copy.Write(chunk, 0, got);
        }
        copy.Position = 0;
        return copy;
    }
}
