using System.Globalization;
using System.Runtime.InteropServices;
using FiberProduct.Embedding;
using FiberProduct.IO;

namespace FiberProduct.Orleans;

/// <summary>
/// Reads a range of rows of a 2-D .npy file without reading the rest: the header (by the core's reader, so the same
/// rules and messages), then one positioned read of the range's bytes.
/// </summary>
internal static class RowRangeReader
{
    public static (int Rows, int Dimension, NpyElementType Type) Shape(string path)
    {
        using var stream = File.OpenRead(path);
        var header = Header(stream, path);
        return (header.Shape[0], header.Shape[1], header.Type);
    }

    public static EmbeddingSet Read(EmbeddingRange range)
    {
        using var file = File.OpenHandle(range.Path);
        using var stream = new FileStream(file, FileAccess.Read, bufferSize: 0);
        var header = Header(stream, range.Path);
        int rows = header.Shape[0], d = header.Shape[1];
        if (range.End > rows)
            throw Fail(range.Path, string.Create(CultureInfo.InvariantCulture,
                $"rows {range.Start} … {range.End} were asked for, but the file holds {rows}."));
        long offset = header.HeaderBytes + (long)range.Start * d * header.ItemSize;
        long bytes = (long)range.Count * d * header.ItemSize;
        if (RandomAccess.GetLength(file) < offset + bytes)
            throw Fail(range.Path, "the file ends before the rows its header declares.");
        try
        {
            return header.Type == NpyElementType.Float32
                ? new EmbeddingSet(ReadValues<float>(file, offset, range.Count * d), range.Count, d)
                : new EmbeddingSet(ReadValues<double>(file, offset, range.Count * d), range.Count, d);
        }
        catch (ArgumentException e)
        {
            // A NaN or infinity: bad content of the file, not a bad argument of the caller.
            throw Fail(range.Path, string.Create(CultureInfo.InvariantCulture,
                $"in rows {range.Start} … {range.End}: {e.Message}"));
        }
    }

    private static T[] ReadValues<T>(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, int count)
        where T : unmanaged
    {
        var values = new T[count];
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        int done = 0;
        while (done < bytes.Length)
        {
            int read = RandomAccess.Read(file, bytes[done..], offset + done);
            if (read == 0) throw new EndOfStreamException();
            done += read;
        }
        return values;
    }

    private static NpyHeader Header(Stream stream, string path)
    {
        var header = NpyHeader.Read(stream, NpyReadLimits.Default, reason => Fail(path, reason));
        if (header.Shape.Length != 2)
            throw Fail(path, string.Create(CultureInfo.InvariantCulture,
                $"an embedding set is a 2-D array (N, d), but this one has {header.Shape.Length} dimensions."));
        if (header.Type is not (NpyElementType.Float32 or NpyElementType.Float64) || header.BigEndian || header.Fortran)
            throw Fail(path, "rows are read in place from little-endian float32 ('<f4') or float64 ('<f8') arrays in C"
                + " order; convert the file with numpy.ascontiguousarray(a, dtype='<f4').");
        if (header.Shape[1] < 1) throw Fail(path, "the dimension d is 0.");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Rows are read on little-endian machines.");
        return header;
    }

    private static InvalidDataException Fail(string path, string reason) =>
        new(string.Create(CultureInfo.InvariantCulture, $"'{path}': {reason}"));
}
