using System.Buffers.Binary;
using System.IO.Compression;

namespace FiberProduct.Imaging.Formats;

/// <summary>
/// Checks a PNG's structure (PNG specification, 3rd edition, §5 and §11) before StbImageSharp sees it: every chunk
/// lies inside the file and its CRC matches, IHDR comes first and is valid, IEND is present, and the image data
/// inflates to exactly the bytes the header's size needs. The inflation runs through a fixed buffer and stops one
/// byte past that size, so a zlib bomb costs no memory (StbImageSharp's inflater grows its buffer without limit).
/// </summary>
internal static class PngStructure
{
    public static void Check(byte[] file, string? source, ImageReadOptions options)
    {
        int position = 8, chunks = 0;
        long width = 0, height = 0;
        int depth = 0, colorType = 0, interlace = 0;
        bool palette = false, end = false;
        using var data = new MemoryStream();
        while (!end)
        {
            if (file.Length - position < 12)
                throw Reject.Malformed(source,
                    $"the file ends at byte {file.Length} inside chunk {chunks} (no IEND chunk).");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(position));
            var type = file.AsSpan(position + 4, 4);
            string name = System.Text.Encoding.ASCII.GetString(type);
            if (length > int.MaxValue || length > file.Length - position - 12)
                throw Reject.Malformed(source,
                    $"chunk {chunks} ('{name}') at byte {position} claims {length} data bytes; ",
                    $"{file.Length - position - 12} follow.");
            foreach (byte b in type)
                if (b is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z')))
                    throw Reject.Malformed(source,
                        $"chunk {chunks} at byte {position} has a type with a byte 0x{b:X2} that is not a letter.");
            var body = file.AsSpan(position + 8, (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(position + 8 + (int)length));
            uint computed = Crc32(file.AsSpan(position + 4, 4 + (int)length));
            if (stored != computed)
                throw Reject.Malformed(source,
                    $"chunk {chunks} ('{name}') at byte {position} has CRC 0x{stored:X8}; its bytes ",
                    $"give 0x{computed:X8}.");
            if (chunks == 0 && name != "IHDR")
                throw Reject.Malformed(source, $"the first chunk is '{name}', not IHDR.");
            switch (name)
            {
                case "IHDR":
                    if (chunks != 0) throw Reject.Malformed(source, $"a second IHDR chunk at byte {position}.");
                    if (length != 13) throw Reject.Malformed(source, $"IHDR holds {length} bytes, not 13.");
                    width = BinaryPrimitives.ReadUInt32BigEndian(body);
                    height = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                    (depth, colorType, interlace) = (body[8], body[9], body[12]);
                    CheckHeader(source, width, height, depth, colorType, body[10], body[11], interlace, options);
                    break;
                case "PLTE":
                    if (length == 0 || length % 3 != 0 || length > 768)
                        throw Reject.Malformed(source, $"PLTE holds {length} bytes, not 3 × (1 … 256).");
                    palette = true;
                    break;
                case "IDAT":
                    data.Write(body);
                    break;
                case "IEND":
                    end = true;
                    break;
            }
            position += 12 + (int)length;
            chunks++;
        }
        if (colorType == 3 && !palette)
            throw Reject.Malformed(source, $"a palette image (colour type 3) without a PLTE chunk.");
        if (data.Length == 0) throw Reject.Malformed(source, $"no IDAT chunk: the file holds no pixels.");
        CheckImageData(data, RawLength(width, height, depth, colorType, interlace), width, height, source);
    }

    private static void CheckHeader(string? source, long width, long height, int depth, int colorType, int compression,
        int filter, int interlace, ImageReadOptions options)
    {
        if (width > int.MaxValue || height > int.MaxValue)
            throw Reject.Malformed(source,
                $"IHDR gives a size of {width} × {height}; PNG allows at most 2^31 − 1 either way.");
        bool valid = colorType switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => depth is 8 or 16,
            _ => false,
        };
        if (!valid)
            throw Reject.Malformed(source,
                $"IHDR gives bit depth {depth} with colour type {colorType}, not a PNG combination.");
        if (compression != 0 || filter != 0 || interlace > 1)
            throw Reject.Malformed(source,
                $"IHDR gives compression {compression}, filter {filter}, interlace {interlace}; PNG ",
                $"defines 0, 0, 0 or 1.");
        if (depth == 16)
            throw Reject.Unsupported(source,
                $"the image has 16 bits per channel; Z_256[x] holds 8-bit intensities and reducing them ",
                $"would lose information.");
        Reject.CheckSize(source, width, height, options);
    }

    // Filtered scanlines: one filter byte per row, rows of ⌈width · channels · depth / 8⌉ bytes, per Adam7 pass
    // if interlaced (§8.2; an empty pass has no rows at all).
    private static long RawLength(long width, long height, int depth, int colorType, int interlace)
    {
        int channels = colorType switch { 0 or 3 => 1, 4 => 2, 2 => 3, _ => 4 };
        long Pass(long w, long h) => w == 0 || h == 0 ? 0 : h * (1 + (w * channels * depth + 7) / 8);
        if (interlace == 0) return Pass(width, height);
        ReadOnlySpan<int> x0 = [0, 4, 0, 2, 0, 1, 0], dx = [8, 8, 4, 4, 2, 2, 1], y0 = [0, 0, 4, 0, 2, 0, 1], dy =
            [8, 8, 8, 4, 4, 2, 2];
        long total = 0;
        for (int p = 0; p < 7; p++)
            total += Pass((width - x0[p] + dx[p] - 1) / dx[p], (height - y0[p] + dy[p] - 1) / dy[p]);
        return total;
    }

    private static void CheckImageData(MemoryStream data, long expected, long width, long height, string? source)
    {
        data.Position = 0;
        long inflated = 0;
        var buffer = new byte[1 << 16];
        try
        {
            using var z = new ZLibStream(data, CompressionMode.Decompress);
            int n;
            while (inflated <= expected && (n = z.Read(buffer)) > 0) inflated += n;
        }
        catch (InvalidDataException e)
        {
            throw new ImageFormatException(source, ImageRejection.Malformed,
                $"the IDAT data is not a valid zlib stream ({e.Message})", e);
        }
        if (inflated != expected)
            throw Reject.Malformed(source,
                $"the IDAT data inflates to {(inflated > expected ? "more than " : "")}{inflated} bytes; {width} × ",
                $"{height} needs {expected}.");
    }

    private static readonly uint[] CrcTable = MakeCrcTable();

    // The CRC of §5.5 (ISO 3309, polynomial 0xEDB88320 reflected), over the chunk type and data.
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
