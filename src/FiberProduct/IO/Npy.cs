using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace FiberProduct.IO;

/// <summary>
/// Reading and writing NumPy .npy files (format versions 1.0–3.0; float16/32/64, uint8, int32, int64; C or
/// Fortran order; little or big endian) and .npz archives (stored or deflated entries).
/// </summary>
/// <remarks>
/// A header is checked against the bytes actually present before the data array is allocated: a file that
/// claims more (or fewer) elements than it holds, an unknown dtype, a malformed header or a truncated body
/// is an <see cref="InvalidDataException"/>. Data of streams whose length is unknown (deflated .npz entries)
/// is read in bounded chunks, so a lying header cannot make the reader allocate what the stream does not hold.
/// </remarks>
public static partial class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int MaxHeaderLength = 1 << 20;
    private const int ChunkBytes = 1 << 24;

    /// <summary>Reads a .npy file.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid .npy file or its header does not match its contents.</exception>
    public static NpyArray Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream);
    }

    /// <summary>Reads one .npy array from the current position of a stream.</summary>
    /// <exception cref="InvalidDataException">The data is not a valid .npy array or its header does not match its contents.</exception>
    public static NpyArray Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var (descr, fortran, shape) = ReadHeader(stream);
        var (type, itemSize, bigEndian) = ParseDescr(descr);
        long count = 1;
        foreach (int dim in shape)
        {
            count *= dim;
            if (count > Array.MaxLength) throw new InvalidDataException($"The header's shape ({string.Join(", ", shape)}) exceeds the largest array .NET can hold.");
        }
        long bytes = count * itemSize;
        if (stream.CanSeek)
        {
            long available = stream.Length - stream.Position;
            if (available != bytes)
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"The header declares shape ({string.Join(", ", shape)}) of '{descr}', {bytes} bytes of data, but the file holds {available}."));
        }
        byte[] raw = ReadExactly(stream, bytes, descr, shape);
        if (bigEndian != !BitConverter.IsLittleEndian) ReverseEndianness(raw, itemSize);
        Array data = Decode(raw, type, (int)count);
        if (fortran && shape.Length > 1) data = FortranToC(data, shape);
        return type == NpyElementType.Float16 ? NpyArray.Half((float[])data, shape) : type switch
        {
            NpyElementType.Float32 => new NpyArray((float[])data, shape),
            NpyElementType.Float64 => new NpyArray((double[])data, shape),
            NpyElementType.UInt8 => new NpyArray((byte[])data, shape),
            NpyElementType.Int32 => new NpyArray((int[])data, shape),
            _ => new NpyArray((long[])data, shape),
        };
    }

    /// <summary>Writes an array as a .npy file (version 1.0, or 2.0 for very long headers), little endian, C order.</summary>
    public static void Write(string path, NpyArray array)
    {
        using var stream = File.Create(path);
        Write(stream, array);
    }

    /// <summary>Writes an array in .npy format to a stream.</summary>
    public static void Write(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        string descr = array.ElementType switch
        {
            NpyElementType.Float16 or NpyElementType.Float32 => "<f4", // half data is held widened; write it as float32, losslessly
            NpyElementType.Float64 => "<f8",
            NpyElementType.UInt8 => "|u1",
            NpyElementType.Int32 => "<i4",
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
            _ => throw new InvalidOperationException("Unreachable: unknown element storage."),
        };
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Writing .npy files on a big-endian machine is not supported.");
        stream.Write(body);
    }

    /// <summary>Reads every array of a .npz archive (stored or deflated entries), keyed by name without ".npy".</summary>
    /// <exception cref="InvalidDataException">The archive or one of its arrays is malformed.</exception>
    public static IReadOnlyDictionary<string, NpyArray> ReadNpz(string path)
    {
        using var stream = File.OpenRead(path);
        return ReadNpz(stream);
    }

    /// <summary>Reads every array of a .npz archive from a stream.</summary>
    public static IReadOnlyDictionary<string, NpyArray> ReadNpz(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var result = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        foreach (var entry in zip.Entries)
        {
            if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal)) continue;
            using var entryStream = entry.Open();
            try { result[entry.FullName[..^4]] = Read(entryStream); }
            catch (InvalidDataException e) { throw new InvalidDataException($"Entry '{entry.FullName}': {e.Message}", e); }
        }
        return result;
    }

    /// <summary>Writes arrays into a .npz archive (deflated when <paramref name="compress"/>, as numpy.savez_compressed does).</summary>
    public static void WriteNpz(string path, IReadOnlyDictionary<string, NpyArray> arrays, bool compress)
    {
        using var stream = File.Create(path);
        WriteNpz(stream, arrays, compress);
    }

    /// <summary>Writes arrays into a .npz archive on a stream.</summary>
    public static void WriteNpz(Stream stream, IReadOnlyDictionary<string, NpyArray> arrays, bool compress)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (name, array) in arrays)
        {
            var entry = zip.CreateEntry(name + ".npy", compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
            using var entryStream = entry.Open();
            Write(entryStream, array);
        }
    }

    private static (string Descr, bool Fortran, int[] Shape) ReadHeader(Stream stream)
    {
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) != 8 || !prefix[..6].SequenceEqual(Magic))
            throw new InvalidDataException("Not a .npy file: the magic string \\x93NUMPY is missing.");
        int major = prefix[6];
        if (major is < 1 or > 3) throw new InvalidDataException($"Unsupported .npy format version {major}.{prefix[7]}.");
        Span<byte> lengthBytes = stackalloc byte[4];
        int lengthSize = major == 1 ? 2 : 4;
        if (stream.ReadAtLeast(lengthBytes[..lengthSize], lengthSize, throwOnEndOfStream: false) != lengthSize)
            throw new InvalidDataException("Truncated .npy header.");
        long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes) : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderLength) throw new InvalidDataException($"The .npy header claims {headerLength} bytes; at most {MaxHeaderLength} are accepted.");
        var headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false) != headerBytes.Length)
            throw new InvalidDataException("Truncated .npy header.");
        string header = (major == 3 ? System.Text.Encoding.UTF8 : System.Text.Encoding.Latin1).GetString(headerBytes);

        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new InvalidDataException($"Malformed .npy header: {header.Trim()}");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var parsed = new int[dims.Length];
        for (int k = 0; k < dims.Length; k++)
            if (!int.TryParse(dims[k], NumberStyles.None, CultureInfo.InvariantCulture, out parsed[k]))
                throw new InvalidDataException($"Malformed shape in .npy header: ({shape.Groups[1].Value}).");
        return (descr.Groups[1].Value, fortran.Groups[1].Value == "True", parsed);
    }

    private static (NpyElementType Type, int ItemSize, bool BigEndian) ParseDescr(string descr)
    {
        if (descr.Length < 2) throw new InvalidDataException($"Unsupported dtype '{descr}'.");
        char order = descr[0];
        bool big = order == '>';
        if (order is not ('<' or '>' or '|' or '=')) throw new InvalidDataException($"Unsupported dtype '{descr}'.");
        if (order == '=') big = !BitConverter.IsLittleEndian;
        return descr[1..] switch
        {
            "f2" => (NpyElementType.Float16, 2, big),
            "f4" => (NpyElementType.Float32, 4, big),
            "f8" => (NpyElementType.Float64, 8, big),
            "u1" => (NpyElementType.UInt8, 1, big),
            "i4" => (NpyElementType.Int32, 4, big),
            "i8" => (NpyElementType.Int64, 8, big),
            _ => throw new InvalidDataException($"Unsupported dtype '{descr}': FiberProduct reads f2, f4, f8, u1, i4 and i8."),
        };
    }

    /// <summary>Reads exactly <paramref name="bytes"/> bytes, growing chunk by chunk so a false claim fails before a large allocation.</summary>
    private static byte[] ReadExactly(Stream stream, long bytes, string descr, int[] shape)
    {
        string Claim() => string.Create(CultureInfo.InvariantCulture, $"The header declares shape ({string.Join(", ", shape)}) of '{descr}', {bytes} bytes of data");
        if (stream.CanSeek)
        {
            var all = new byte[bytes];
            if (stream.ReadAtLeast(all, all.Length, throwOnEndOfStream: false) != all.Length) throw new InvalidDataException(Claim() + ", but the data ends early.");
            return all;
        }
        var chunks = new List<byte[]>();
        long read = 0;
        while (read < bytes)
        {
            var chunk = new byte[Math.Min(ChunkBytes, bytes - read)];
            int got = stream.ReadAtLeast(chunk, chunk.Length, throwOnEndOfStream: false);
            if (got != chunk.Length) throw new InvalidDataException(Claim() + string.Create(CultureInfo.InvariantCulture, $", but only {read + got} are present."));
            chunks.Add(chunk);
            read += got;
        }
        if (stream.ReadByte() != -1) throw new InvalidDataException(Claim() + ", but more data follows.");
        if (chunks.Count == 1) return chunks[0];
        var result = new byte[bytes];
        long offset = 0;
        foreach (var chunk in chunks) { chunk.CopyTo(result, offset); offset += chunk.Length; }
        return result;
    }

    private static void ReverseEndianness(byte[] raw, int itemSize)
    {
        switch (itemSize)
        {
            case 2: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ushort>(raw.AsSpan()), MemoryMarshal.Cast<byte, ushort>(raw.AsSpan())); break;
            case 4: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(raw.AsSpan()), MemoryMarshal.Cast<byte, uint>(raw.AsSpan())); break;
            case 8: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(raw.AsSpan()), MemoryMarshal.Cast<byte, ulong>(raw.AsSpan())); break;
        }
    }

    private static Array Decode(byte[] raw, NpyElementType type, int count)
    {
        switch (type)
        {
            case NpyElementType.UInt8: return raw;
            case NpyElementType.Float16:
                var halves = MemoryMarshal.Cast<byte, Half>(raw.AsSpan());
                var widened = new float[count];
                for (int i = 0; i < count; i++) widened[i] = (float)halves[i];
                return widened;
            case NpyElementType.Float32: return MemoryMarshal.Cast<byte, float>(raw.AsSpan()).ToArray();
            case NpyElementType.Float64: return MemoryMarshal.Cast<byte, double>(raw.AsSpan()).ToArray();
            case NpyElementType.Int32: return MemoryMarshal.Cast<byte, int>(raw.AsSpan()).ToArray();
            default: return MemoryMarshal.Cast<byte, long>(raw.AsSpan()).ToArray();
        }
    }

    /// <summary>Column-major to row-major: element (i0, …, ik) sits at i0 + s0·(i1 + s1·(…)) in Fortran order.</summary>
    private static Array FortranToC(Array source, int[] shape)
    {
        var result = Array.CreateInstance(source.GetType().GetElementType()!, source.Length);
        int rank = shape.Length;
        var index = new int[rank];
        var fortranStride = new long[rank];
        fortranStride[0] = 1;
        for (int k = 1; k < rank; k++) fortranStride[k] = fortranStride[k - 1] * shape[k - 1];
        for (long c = 0; c < source.Length; c++)
        {
            long f = 0;
            for (int k = 0; k < rank; k++) f += index[k] * fortranStride[k];
            Array.Copy(source, f, result, c, 1);
            for (int k = rank - 1; k >= 0; k--) // advance the C-order multi-index
            {
                if (++index[k] < shape[k]) break;
                index[k] = 0;
            }
        }
        return result;
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
