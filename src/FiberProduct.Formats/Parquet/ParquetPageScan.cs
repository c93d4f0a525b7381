using System.Globalization;

namespace FiberProduct.Formats;

/// <summary>
/// Walks the page headers of one column chunk before Parquet.Net reads it, so that a hostile chunk fails with our
/// error instead of costing memory or time: every page must lie inside the chunk, declare sizes within
/// <see cref="FormatReadLimits"/> (a page's uncompressed size is what the library allocates to inflate it), and
/// data pages must declare values that add up to the chunk's count. The last check matters: Parquet.Net 6.1 reads
/// pages until it has the chunk's values, and a data page declaring none made it loop forever (found by
/// FormatsFuzzTests).
/// </summary>
/// <remarks>
/// Page headers are Thrift compact-protocol structs (parquet.thrift's PageHeader). Only the fields needed are kept:
/// 1 type, 2 uncompressed_page_size, 3 compressed_page_size, and num_values (field 1) of data_page_header (5),
/// dictionary_page_header (7) and data_page_header_v2 (8); every other field is skipped by its type.
/// </remarks>
internal static class ParquetPageScan
{
    private const int MaxHeaderBytes = 1 << 20;
    private const int MaxDepth = 32;

    public static void Check(Stream stream, long start, long length, long declaredValues, FormatReadLimits limits,
        Func<string, Exception> fail)
    {
        long end = start + length;
        if (start < 4 || length < 0 || end > stream.Length)
            throw fail(
                Invariant($"its column chunk claims bytes {start} to {end}, outside the file's {stream.Length}."));
        long position = start, values = 0;
        int pages = 0;
        while (position < end)
        {
            stream.Position = position;
            var reader = new CompactReader(stream, Math.Min(MaxHeaderBytes, end - position), fail);
            var page = reader.ReadPageHeader();
            long next = position + reader.Consumed + page.Compressed;
            if (page.Compressed < 0 || page.Uncompressed < 0 || next > end)
                throw fail(
                    Invariant($"page {pages} at byte {position} declares {page.Compressed} bytes, beyond its column ")
                    + Invariant($"chunk (bytes {start} to {end})."));
            if (page.Uncompressed > limits.MaxArrayBytes)
                throw fail(
                    Invariant($"page {pages} at byte {position} declares {page.Uncompressed} uncompressed bytes, more ")
                    + Invariant($"than FormatReadLimits.MaxArrayBytes ({limits.MaxArrayBytes})."));
            if (page.Uncompressed > FormatReadLimits.CompressionRatioExemptBytes
                && page.Uncompressed > limits.MaxCompressionRatio * Math.Max(page.Compressed, 1))
                throw fail(
                    Invariant($"page {pages} at byte {position} declares {page.Uncompressed} uncompressed bytes from ")
                    + Invariant($"{page.Compressed}, a ratio above FormatReadLimits.MaxCompressionRatio ")
                    + Invariant($"({limits.MaxCompressionRatio})."));
            if (page.IsData)
            {
                if (page.Values <= 0)
                    throw fail(Invariant($"data page {pages} at byte {position} declares {page.Values} values."));
                values += page.Values;
            }
            position = next;
            pages++;
        }
        if (values != declaredValues)
            throw fail(
                Invariant($"its data pages hold {values} values, but the column chunk declares {declaredValues}."));
    }

    /// <summary>
    /// Checks the file's frame ("PAR1" at both ends, the footer length inside the file) and walks the footer's
    /// Thrift structure (FileMetaData) without keeping it, before Parquet.Net parses it: Parquet.Net 6.1 looped
    /// forever on a footer with one byte changed (found by FormatsFuzzTests). In the compact protocol every element
    /// of a list or map takes at least one byte, so a count beyond the bytes left is refused and the walk is linear
    /// in the footer's length.
    /// </summary>
    public static void CheckFooter(Stream stream, Func<string, Exception> fail)
    {
        long length = stream.Length;
        if (length < 12)
            throw fail(Invariant($"not a Parquet file: {length} bytes are fewer than its frame needs (truncated?)."));
        Span<byte> frame = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(frame[..4]);
        bool head = frame[..4].SequenceEqual("PAR1"u8);
        stream.Position = length - 8;
        stream.ReadExactly(frame);
        if (!head || !frame[4..].SequenceEqual("PAR1"u8))
            throw fail("not a Parquet file: it does not begin and end with PAR1 (truncated, or another format?).");
        long footer = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(frame);
        if (footer <= 0 || footer > length - 12)
            throw fail(Invariant($"its footer claims {footer} bytes, but the file has {length} (truncated?)."));
        stream.Position = length - 8 - footer;
        new CompactReader(stream, footer, fail).SkipStruct();
    }

    private record struct PageHeader(int Type, long Uncompressed, long Compressed, long Values)
    {
        public readonly bool IsData => Type is 0 or 3; // DATA_PAGE, DATA_PAGE_V2
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A bounded reader of the Thrift compact protocol.</summary>
    private sealed class CompactReader(Stream stream, long budget, Func<string, Exception> fail)
    {
        private readonly byte[] buffer = new byte[4096];
        private int available, next;

        public long Consumed { get; private set; }

        private long Left => budget - Consumed;

        public void SkipStruct() => Skip(12, 0);

        public PageHeader ReadPageHeader()
        {
            var header = new PageHeader(-1, -1, -1, 0);
            short id = 0;
            while (NextField(ref id, out int type))
            {
                switch (id, type)
                {
                    case (1, 5): header.Type = (int)ReadVarint(); break;
                    case (2, 5): header.Uncompressed = ReadVarint(); break;
                    case (3, 5): header.Compressed = ReadVarint(); break;
                    case (5 or 7 or 8, 12): header.Values = ReadNumValues(); break;
                    default: Skip(type, 0); break;
                }
            }
            if (header.Type < 0 || header.Uncompressed < 0 || header.Compressed < 0)
                throw fail("a page header lacks its type or sizes.");
            return header;
        }

        /// <summary>num_values, field 1 of the data, dictionary and data v2 page headers.</summary>
        private long ReadNumValues()
        {
            long values = 0;
            short id = 0;
            while (NextField(ref id, out int type))
            {
                if (id == 1 && type == 5) values = ReadVarint();
                else Skip(type, 1);
            }
            return values;
        }

        private bool NextField(ref short id, out int type)
        {
            byte b = ReadByte();
            type = b & 0x0F;
            if (type == 0) return false; // STOP
            int delta = b >> 4;
            id = delta == 0 ? (short)ReadVarint() : (short)(id + delta);
            return true;
        }

        private void Skip(int type, int depth)
        {
            if (depth > MaxDepth) throw fail("a Thrift header (page header or footer) nests too deeply.");
            switch (type)
            {
                case 1 or 2: break; // booleans carry their value in the type
                case 3: ReadByte(); break;
                case 4 or 5 or 6: ReadVarint(); break;
                case 7: for (int i = 0; i < 8; i++) ReadByte(); break;
                case 8:
                {
                    long n = ReadLength();
                    if (n < 0 || n > Left)
                        throw fail(
                            "a Thrift header (page header or footer) holds a binary field longer than itself.");
                    for (long i = 0; i < n; i++) ReadByte();
                    break;
                }
                case 9 or 10:
                {
                    byte h = ReadByte();
                    long size = h >> 4 == 15 ? ReadLength() : h >> 4;
                    int element = h & 0x0F;
                    if (size < 0 || size > Left)
                        throw fail("a Thrift header (page header or footer) holds a list longer than itself.");
                    for (long i = 0; i < size; i++) Skip(element == 1 || element == 2 ? 3 : element, depth + 1);
                    break;
                }
                case 11:
                {
                    long size = ReadLength();
                    if (size < 0 || size > Left)
                        throw fail("a Thrift header (page header or footer) holds a map longer than itself.");
                    if (size == 0) break;
                    byte kinds = ReadByte();
                    for (long i = 0; i < size; i++) { Skip(kinds >> 4, depth + 1); Skip(kinds & 0x0F, depth + 1); }
                    break;
                }
                case 12:
                {
                    short id = 0;
                    while (NextField(ref id, out int inner)) Skip(inner, depth + 1);
                    break;
                }
                default: throw fail(
                    Invariant($"a Thrift header (page header or footer) holds a field of unknown type {type}."));
            }
        }

        /// <summary>A zigzag varint: an i16, i32 or i64 field.</summary>
        private long ReadVarint()
        {
            long raw = ReadLength();
            return (long)((ulong)raw >> 1) ^ -(raw & 1);
        }

        /// <summary>A plain varint: the length of a binary, list or map (negative when it overflows).</summary>
        private long ReadLength()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                byte b = ReadByte();
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return (long)value;
            }
            throw fail("a Thrift header (page header or footer) holds a varint longer than 10 bytes.");
        }

        private byte ReadByte()
        {
            if (Consumed >= budget) throw fail("a Thrift header (page header or footer) runs past its bytes.");
            if (next == available)
            {
                available = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, budget - Consumed));
                next = 0;
                if (available <= 0)
                    throw fail("a Thrift header (page header or footer) runs past the end of the file.");
            }
            Consumed++;
            return buffer[next++];
        }
    }
}
