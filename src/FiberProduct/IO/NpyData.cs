using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;

namespace FiberProduct.IO;

/// <summary>
/// The data part of a .npy file, read straight into the typed array it becomes, in chunks, with 64-bit offsets:
/// an array of more than 2^31 bytes (a float32 array of 600 million elements is 2.4 GB) needs no byte buffer of
/// its size, and no span longer than 2^31 bytes is ever formed.
/// </summary>
internal static class NpyData
{
    /// <summary>Bytes read per call; small enough to keep a lying stream's cost bounded, large enough to
    /// stream.</summary>
    private const int ChunkBytes = 1 << 22;

    /// <summary>Elements allocated first when a stream's length is unknown; the array then doubles as data arrives,
    /// so a header that claims more than the stream holds costs at most twice what the stream really holds.</summary>
    private const int FirstGuessElements = 1 << 20;

    /// <param name="stream">Positioned at the first data byte.</param>
    /// <param name="header">The checked header.</param>
    /// <param name="fail">Builds the exception for a reason.</param>
    /// <param name="knownBytes">The data bytes the stream holds after the header, when known; the caller has
    /// checked that they equal the header's claim. <see langword="null"/> for a stream of unknown length.</param>
    public static Array Read(Stream stream, NpyHeader header, long? knownBytes, Func<string, Exception> fail)
    {
        Array data = header.Type switch
        {
            NpyElementType.Float16 => ReadHalf(stream, header, knownBytes, fail),
            NpyElementType.Float32 => Read<float>(stream, header, knownBytes, fail),
            NpyElementType.Float64 => Read<double>(stream, header, knownBytes, fail),
            NpyElementType.UInt8 => Read<byte>(stream, header, knownBytes, fail),
            NpyElementType.Int32 => Read<int>(stream, header, knownBytes, fail),
            // Read as bytes, count × width of them (the same data bytes the header claims), then cut into strings.
            NpyElementType.Bytes =>
                ByteStrings(Read<byte>(stream,
                    header with { Count = header.DataBytes, ItemSize = 1 }, knownBytes, fail), header.ItemSize),
            _ => Read<long>(stream, header, knownBytes, fail),
        };
        if (knownBytes is null && stream.ReadByte() != -1) throw fail(Claim(header) + ", but more data follows.");
        if (header.Fortran && header.Shape.Length > 1)
        {
            data = data switch
            {
                float[] f => FortranToC(f, header.Shape),
                double[] d => FortranToC(d, header.Shape),
                byte[] b => FortranToC(b, header.Shape),
                int[] i => FortranToC(i, header.Shape),
                long[] l => FortranToC(l, header.Shape),
                string[] t => FortranToC(t, header.Shape),
                _ => throw new InvalidOperationException("Unreachable: unknown element storage."),
            };
        }
        return data;
    }

    public static string Claim(NpyHeader header) => string.Create(CultureInfo.InvariantCulture,
        $"the header declares shape {Tuple(header.Shape)} of {header.Type}, {header.DataBytes} bytes of data");

    /// <summary>A shape as Python prints it: "(3,)" for one dimension.</summary>
    public static string Tuple(int[] shape) => shape.Length == 1
        ? string.Create(CultureInfo.InvariantCulture, $"({shape[0]},)")
        : "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";

    private static T[] Read<T>(Stream stream, NpyHeader header, long? knownBytes, Func<string, Exception> fail)
        where T : unmanaged
    {
        long count = header.Count;
        int size = Marshal.SizeOf<T>();
        var array = new T[knownBytes is null ? Math.Min(count, FirstGuessElements) : count];
        long done = 0;
        int perChunk = ChunkBytes / size;
        while (done < count)
        {
            if (done == array.Length) Array.Resize(ref array, (int)Math.Min(count, 2 * (long)array.Length));
            int n = (int)Math.Min(perChunk, array.Length - done);
            var span = array.AsSpan((int)done, n);
            var bytes = MemoryMarshal.AsBytes(span);
            int got = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got != bytes.Length)
                throw fail(Claim(header)
                    + string.Create(CultureInfo.InvariantCulture,
                        $", but the data ends after {done * size + got} bytes."));
            if (header.BigEndian == BitConverter.IsLittleEndian) Swap(bytes, size);
            done += n;
        }
        return array;
    }

    /// <summary>Fixed-width byte strings, one character per byte, trailing NULs removed (as NumPy's bytes_
    /// does).</summary>
    private static string[] ByteStrings(byte[] bytes, int width)
    {
        var texts = new string[bytes.Length / width];
        for (int i = 0; i < texts.Length; i++)
            texts[i] = System.Text.Encoding.Latin1.GetString(bytes, i * width, width).TrimEnd('\0');
        return texts;
    }

    private static float[] ReadHalf(Stream stream, NpyHeader header, long? knownBytes, Func<string, Exception> fail)
    {
        long count = header.Count;
        var array = new float[knownBytes is null ? Math.Min(count, FirstGuessElements) : count];
        var buffer = new Half[Math.Min(count, ChunkBytes / 2)];
        long done = 0;
        while (done < count)
        {
            if (done == array.Length) Array.Resize(ref array, (int)Math.Min(count, 2 * (long)array.Length));
            int n = (int)Math.Min(buffer.Length, array.Length - done);
            var bytes = MemoryMarshal.AsBytes(buffer.AsSpan(0, n));
            int got = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got != bytes.Length)
                throw fail(Claim(header)
                    + string.Create(CultureInfo.InvariantCulture,
                        $", but the data ends after {done * 2 + got} bytes."));
            if (header.BigEndian == BitConverter.IsLittleEndian) Swap(bytes, 2);
            for (int i = 0; i < n; i++) array[done + i] = (float)buffer[i];
            done += n;
        }
        return array;
    }

    private static void Swap(Span<byte> bytes, int size)
    {
        switch (size)
        {
            case 2: var u16 =
                MemoryMarshal.Cast<byte, ushort>(bytes); BinaryPrimitives.ReverseEndianness(u16, u16); break;
            case 4: var u32 =
                MemoryMarshal.Cast<byte, uint>(bytes); BinaryPrimitives.ReverseEndianness(u32, u32); break;
            case 8: var u64 =
                MemoryMarshal.Cast<byte, ulong>(bytes); BinaryPrimitives.ReverseEndianness(u64, u64); break;
        }
    }

    /// <summary>Column-major to row-major: element (i0, …, ik) sits at i0 + s0·(i1 + s1·(…)) in Fortran order.
    /// The C-order multi-index is advanced like an odometer, and the Fortran offset with it.</summary>
    private static T[] FortranToC<T>(T[] source, int[] shape)
    {
        var result = new T[source.LongLength];
        int rank = shape.Length;
        var index = new int[rank];
        var stride = new long[rank];
        stride[0] = 1;
        for (int k = 1; k < rank; k++) stride[k] = stride[k - 1] * shape[k - 1];
        long f = 0;
        for (long c = 0; c < result.LongLength; c++)
        {
            result[c] = source[f];
            for (int k = rank - 1; k >= 0; k--)
            {
                if (++index[k] < shape[k]) { f += stride[k]; break; }
                f -= stride[k] * (shape[k] - 1);
                index[k] = 0;
            }
        }
        return result;
    }
}
