using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;

namespace FiberProduct.IO;

/// <summary>
/// Reading and writing NumPy .npy files (format versions 1.0–3.0; float16/32/64, uint8, int32, int64, byte strings; C
/// or Fortran order; little or big endian) and .npz archives (stored or deflated entries).
/// </summary>
/// <remarks>
/// Headers are read by NumPy's own rules (the text is a Python literal, as <c>ast.literal_eval</c> parses it; see
/// docs/hostile-input.md for each edge). Every failure caused by the bytes read is an
/// an <see cref="InvalidDataException"/> naming the file (or "stream"), the .npz member and the reason. What reading
/// may cost is bounded by <see cref="NpyReadLimits"/>: header length, bytes per array, decompressed bytes per member
/// and in total, and the compression ratio; each bound is checked before the allocation or inflation it guards. A
/// header is checked against the bytes actually present before the data array is allocated; data is read in chunks
/// straight into the typed array, so arrays beyond 2^31 bytes are read wherever the machine has the memory.
/// </remarks>
public static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a .npy file with the default <see cref="NpyReadLimits"/>.</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The array, in C order.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid .npy file, its header does not match its
    /// contents, or it exceeds a default limit.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <example>
    /// <code>
    /// // Python: np.save("features.npy", x)   # any shape, float16/32/64, uint8, int32 or int64
    /// NpyArray array = Npy.Read("features.npy");
    /// IReadOnlyList&lt;int&gt; shape = array.Shape;             // e.g. (500, 512)
    /// if (array.Data is float[] values) { /* row-major, C order, whatever order the file had */ }
    /// var set = EmbeddingSet.FromArray(array);                 // (N, d) floats as an embedding set
    /// </code>
    /// </example>
    public static NpyArray Read(string path) => Read(path, NpyReadLimits.Default);

    /// <summary>Reads a .npy file within the given limits.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="limits">What reading may cost.</param>
    /// <returns>The array, in C order.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid .npy file, its header does not match its
    /// contents, or it exceeds <paramref name="limits"/>.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <example>
    /// <code>
    /// var limits = new NpyReadLimits { MaxArrayBytes = 1L &lt;&lt; 30 };   // refuse arrays above 1 GiB
    /// NpyArray array = Npy.Read("upload.npy", limits);
    /// </code>
    /// </example>
    public static NpyArray Read(string path, NpyReadLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        using var stream = File.OpenRead(path);
        return Read(stream, limits);
    }

    /// <summary>Reads one .npy array from the current position of a stream, with the default limits.</summary>
    /// <param name="stream">The stream; when it can seek, it must end where the array ends.</param>
    /// <returns>The array, in C order.</returns>
    /// <exception cref="InvalidDataException">The data is not a valid .npy array, its header does not match its
    /// contents, or it exceeds a default limit.</exception>
    public static NpyArray Read(Stream stream) => Read(stream, NpyReadLimits.Default);

    /// <summary>Reads one .npy array from the current position of a stream, within the given limits.</summary>
    /// <param name="stream">The stream; when it can seek, it must end where the array ends. Errors name the file
    /// of a <see cref="FileStream"/>, and "stream" otherwise.</param>
    /// <param name="limits">What reading may cost.</param>
    /// <returns>The array, in C order.</returns>
    /// <exception cref="InvalidDataException">The data is not a valid .npy array, its header does not match its
    /// contents, or it exceeds <paramref name="limits"/>.</exception>
    public static NpyArray Read(Stream stream, NpyReadLimits limits)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(limits);
        long? total = stream.CanSeek ? stream.Length - stream.Position : null;
        return ReadArray(stream, limits, NameOf(stream), member: null, total);
    }

    internal static string NameOf(Stream stream) => stream is FileStream file ? file.Name : "stream";

    /// <summary>Reads header and data.</summary>
    /// <param name="stream">Positioned at the magic string.</param>
    /// <param name="limits">What reading may cost.</param>
    /// <param name="name">The file name for messages, or "stream".</param>
    /// <param name="member">The .npz member for messages, or null.</param>
    /// <param name="totalBytes">The bytes from here to the end of the array when known (a seekable stream, a .npz
    /// member's declared size): the header's claim is checked against them before the data array is allocated.</param>
    internal static NpyArray ReadArray(Stream stream, NpyReadLimits limits, string name,
        string? member, long? totalBytes)
    {
        Exception Fail(string reason) => NpyError.Create(name, member, reason);
        var header = NpyHeader.Read(stream, limits, Fail);
        int heldSize = header.Type == NpyElementType.Float16 ? 4 : header.ItemSize;
        if (header.Count * heldSize > limits.MaxArrayBytes)
            throw Fail(NpyData.Claim(header) + string.Create(CultureInfo.InvariantCulture,
                $", {header.Count * heldSize} bytes in memory, more than NpyReadLimits.MaxArrayBytes "
                + $"({limits.MaxArrayBytes})."));
        if (totalBytes is long total && total - header.HeaderBytes != header.DataBytes)
            throw Fail(NpyData.Claim(header)
                + string.Create(CultureInfo.InvariantCulture,
                    $", but {total - header.HeaderBytes} follow the header."));
        var data = NpyData.Read(stream, header, totalBytes is null ? null : header.DataBytes, Fail);
        var shape = header.Shape;
        return header.Type switch
        {
            NpyElementType.Float16 => NpyArray.Half((float[])data, shape),
            NpyElementType.Float32 => new NpyArray((float[])data, shape),
            NpyElementType.Float64 => new NpyArray((double[])data, shape),
            NpyElementType.UInt8 => new NpyArray((byte[])data, shape),
            NpyElementType.Int32 => new NpyArray((int[])data, shape),
            NpyElementType.Bytes => new NpyArray((string[])data, shape),
            _ => new NpyArray((long[])data, shape),
        };
    }

    /// <summary>Writes an array as a .npy file (version 1.0, or 2.0 for very long headers), little endian, C
    /// order.</summary>
    /// <param name="path">The file, created or overwritten.</param>
    /// <param name="array">The array; float16 data is written as float32 ('&lt;f4'), losslessly.</param>
    /// <exception cref="PlatformNotSupportedException">The machine is big-endian.</exception>
    /// <example>
    /// <code>
    /// var array = new NpyArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);   // shape (2, 3)
    /// Npy.Write("small.npy", array);              // Python: np.load("small.npy") is [[1, 2, 3], [4, 5, 6]], float32
    /// var unit = EmbeddingSet.Load("images.npy").Normalize();
    /// Npy.Write("unit.npy", unit.ToArray());      // an EmbeddingSet, in its own precision (float64 here)
    /// </code>
    /// </example>
    public static void Write(string path, NpyArray array)
    {
        using var stream = File.Create(path);
        Write(stream, array);
    }

    /// <summary>Writes an array in .npy format to a stream.</summary>
    /// <param name="stream">A writable stream, written from its current position and left open.</param>
    /// <param name="array">The array; float16 data is written as float32 ('&lt;f4'), losslessly.</param>
    /// <exception cref="PlatformNotSupportedException">The machine is big-endian.</exception>
    public static void Write(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        string descr = array.ElementType switch
        {
            // half data is held widened; write it as float32, losslessly
            NpyElementType.Float16 or NpyElementType.Float32 => "<f4",
            NpyElementType.Float64 => "<f8",
            NpyElementType.UInt8 => "|u1",
            NpyElementType.Int32 => "<i4",
            NpyElementType.Bytes => string.Create(CultureInfo.InvariantCulture, $"|S{array.ByteStringWidth}"),
            _ => "<i8",
        };
        string shapeText = array.Shape.Count == 1
            ? string.Create(CultureInfo.InvariantCulture, $"({array.Shape[0]},)")
            : "(" + string.Join(", ", array.Shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + ")";
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        // Pad with spaces so that magic + version + length + header ends on a 64-byte boundary, then '\n'.
        bool v2 = header.Length + 1 + 10 > ushort.MaxValue;
        int prefix = v2 ? 12 : 10;
        int total = (prefix + header.Length + 1 + 63) / 64 * 64;
        header = header.PadRight(total - prefix - 1) + "\n";

        stream.Write(Magic);
        stream.WriteByte(v2 ? (byte)2 : (byte)1);
        stream.WriteByte(0);
        Span<byte> length = stackalloc byte[4];
        if (v2) { BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)header.Length); stream.Write(length); }
        else { BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length); stream.Write(length[..2]); }
        stream.Write(System.Text.Encoding.ASCII.GetBytes(header));

        ReadOnlySpan<byte> body = array.Data switch
        {
            float[] f => MemoryMarshal.AsBytes(f.AsSpan()),
            double[] d => MemoryMarshal.AsBytes(d.AsSpan()),
            byte[] b => b,
            int[] i => MemoryMarshal.AsBytes(i.AsSpan()),
            long[] l => MemoryMarshal.AsBytes(l.AsSpan()),
            string[] t => PaddedBytes(t, array.ByteStringWidth),
            _ => throw new InvalidOperationException("Unreachable: unknown element storage."),
        };
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Writing .npy files on a big-endian machine is not supported.");
        stream.Write(body);
    }

    /// <summary>Byte strings, each NUL-padded to the width, one byte per character.</summary>
    private static byte[] PaddedBytes(string[] texts, int width)
    {
        var bytes = new byte[texts.Length * width];
        for (int i = 0; i < texts.Length; i++)
            System.Text.Encoding.Latin1.GetBytes(texts[i], 0, texts[i].Length, bytes, i * width);
        return bytes;
    }

    /// <summary>Reads every array of a .npz archive (stored or deflated entries) with the default limits, keyed by
    /// member name without ".npy". Members whose names do not end in ".npy" are skipped; of two members with one
    /// name the last is read, as NumPy does.</summary>
    /// <param name="path">The archive to read.</param>
    /// <returns>The arrays by name.</returns>
    /// <exception cref="InvalidDataException">The archive or one of its arrays is malformed, or exceeds a default
    /// limit.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <example>
    /// <code>
    /// // Python: np.savez_compressed("embeddings.npz", images=f, texts=g)
    /// var arrays = Npy.ReadNpz("embeddings.npz");
    /// var images = EmbeddingSet.FromArray(arrays["images"]);
    /// var texts = EmbeddingSet.FromArray(arrays["texts"]);
    /// </code>
    /// </example>
    public static IReadOnlyDictionary<string, NpyArray> ReadNpz(string path) => ReadNpz(path, NpyReadLimits.Default);

    /// <summary>Reads every array of a .npz archive within the given limits, keyed by member name without
    /// ".npy".</summary>
    /// <param name="path">The archive to read.</param>
    /// <param name="limits">What reading may cost, decompression included.</param>
    /// <returns>The arrays by name.</returns>
    /// <exception cref="InvalidDataException">The archive or one of its arrays is malformed, or exceeds
    /// <paramref name="limits"/>.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static IReadOnlyDictionary<string, NpyArray> ReadNpz(string path, NpyReadLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        using var stream = File.OpenRead(path);
        return ReadNpz(stream, limits);
    }

    /// <summary>Reads every array of a .npz archive from a stream, with the default limits.</summary>
    /// <param name="stream">The archive.</param>
    /// <returns>The arrays by name.</returns>
    /// <exception cref="InvalidDataException">The archive or one of its arrays is malformed, or exceeds a default
    /// limit.</exception>
    public static IReadOnlyDictionary<string, NpyArray> ReadNpz(Stream stream) =>
        ReadNpz(stream, NpyReadLimits.Default);

    /// <summary>Reads every array of a .npz archive from a stream, within the given limits.</summary>
    /// <param name="stream">The archive; a stream that cannot seek is buffered in memory first (its length counts
    /// against <see cref="NpyReadLimits.MaxNpzTotalBytes"/>).</param>
    /// <param name="limits">What reading may cost, decompression included.</param>
    /// <returns>The arrays by name.</returns>
    /// <exception cref="InvalidDataException">The archive or one of its arrays is malformed, or exceeds
    /// <paramref name="limits"/>.</exception>
    public static IReadOnlyDictionary<string, NpyArray> ReadNpz(Stream stream, NpyReadLimits limits)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(limits);
        return NpzReader.Read(stream, limits, NameOf(stream));
    }

    /// <summary>Writes arrays into a .npz archive (deflated when <paramref name="compress"/>, as numpy.savez_compressed
    /// does).</summary>
    /// <param name="path">The file, created or overwritten.</param>
    /// <param name="arrays">The arrays by name; each becomes member NAME.npy, <c>np.load(path)[NAME]</c>.</param>
    /// <param name="compress">Deflate the members (numpy.savez_compressed); otherwise store them (numpy.savez).</param>
    /// <exception cref="PlatformNotSupportedException">The machine is big-endian.</exception>
    /// <example>
    /// <code>
    /// var (images, texts) = EmbeddingSet.LoadPaired("pairs.npy");
    /// Npy.WriteNpz("embeddings.npz", new Dictionary&lt;string, NpyArray&gt;
    /// {
    ///     ["images"] = images.ToArray(),
    ///     ["texts"] = texts.ToArray(),
    /// }, compress: true);
    /// </code>
    /// </example>
    public static void WriteNpz(string path, IReadOnlyDictionary<string, NpyArray> arrays, bool compress)
    {
        using var stream = File.Create(path);
        WriteNpz(stream, arrays, compress);
    }

    /// <summary>Writes arrays into a .npz archive on a stream.</summary>
    /// <param name="stream">A writable stream, written from its current position and left open.</param>
    /// <param name="arrays">The arrays by name; each becomes member NAME.npy.</param>
    /// <param name="compress">Deflate the members (numpy.savez_compressed); otherwise store them (numpy.savez).</param>
    /// <exception cref="PlatformNotSupportedException">The machine is big-endian.</exception>
    public static void WriteNpz(Stream stream, IReadOnlyDictionary<string, NpyArray> arrays, bool compress)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (name, array) in arrays)
        {
            var entry = zip.CreateEntry(name + ".npy", compress ? CompressionLevel.Optimal
                : CompressionLevel.NoCompression);
            using var entryStream = entry.Open();
            Write(entryStream, array);
        }
    }
}
