namespace FiberProduct.Imaging.Formats;

/// <summary>
/// Walks a JPEG's markers (ITU-T T.81, Annex B) before StbImageSharp sees it: every segment lies inside the file, there
/// is one frame header of a process the decoder has (baseline, extended or progressive Huffman, 8-bit), every scan's
/// entropy-coded data ends in a marker and the file in EOI. Then it bounds the pixels by the data: every 8 × 8 block
/// of every component has its DC difference coded in some scan by a Huffman code of at least one bit, so the scans
/// must hold at least one bit per block. StbImageSharp pads missing data with zeros; without this bound a 1 KB file
/// claiming 8192 × 8192 decoded to 200 MB of invented pixels (issue 14).
/// </summary>
internal static class JpegStructure
{
    public static void Check(byte[] file, string? source, ImageReadOptions options)
    {
        int position = 2, scans = 0;
        long entropyBytes = 0;
        Frame? frame = null;
        while (true)
        {
            if (position >= file.Length)
                throw Reject.Malformed(source,
                    $"the file ends at byte {file.Length} without an EOI marker (truncated).");
            if (file[position] != 0xFF)
                throw Reject.Malformed(source,
                    $"byte {position} is 0x{file[position]:X2} where a marker (0xFF …) must start.");
            while (position < file.Length && file[position] == 0xFF) position++; // fill bytes (B.1.1.2)
            if (position >= file.Length)
                throw Reject.Malformed(source, $"the file ends at byte {file.Length} inside a marker (truncated).");
            int marker = file[position++], at = position - 2;
            if (marker == 0xD9) break; // EOI
            if (marker is 0x00 or 0xD8)
                throw Reject.Malformed(source, $"marker 0xFF{marker:X2} at byte {at} is not allowed here.");
            if (marker is >= 0xD0 and <= 0xD7 or 0x01) continue; // RSTn and TEM stand alone
            if (file.Length - position < 2)
                throw Reject.Malformed(source, $"segment 0xFF{marker:X2} at byte {at} has no length (truncated).");
            int length = file[position] << 8 | file[position + 1];
            if (length < 2 || length > file.Length - position)
                throw Reject.Malformed(source,
                    $"segment 0xFF{marker:X2} at byte {at} claims {length} bytes; {file.Length - position} follow.");
            var body = file.AsSpan(position + 2, length - 2);
            position += length;
            switch (marker)
            {
                case 0xC0 or 0xC1 or 0xC2:
                    if (frame is not null) throw Reject.Malformed(source, $"a second frame header at byte {at}.");
                    frame = Frame.Parse(body, at, source, options);
                    break;
                case 0xC3 or (>= 0xC5 and <= 0xC7) or (>= 0xC9 and <= 0xCB) or (>= 0xCD and <= 0xCF):
                    throw Reject.Unsupported(source,
                        $"frame header 0xFF{marker:X2} at byte {at}: lossless, hierarchical or arithmetic-coded JPEG, ",
                        $"which the decoder does not read.");
                case 0xDA:
                    if (frame is null) throw Reject.Malformed(source, $"a scan at byte {at} before the frame header.");
                    if (body.Length < 1 || body[0] is < 1 or > 4 || body.Length != 4 + 2 * body[0])
                        throw Reject.Malformed(source,
                            $"the scan header at byte {at} is {body.Length + 2} bytes long for ",
                            $"{(body.Length < 1 ? 0 : body[0])} components.");
                    int start = position;
                    position = EndOfEntropyData(file, position, source);
                    entropyBytes += position - start;
                    scans++;
                    break;
            }
        }
        if (frame is null) throw Reject.Malformed(source, $"no frame header (SOF) before EOI.");
        if (scans == 0) throw Reject.Malformed(source, $"no scan before EOI: the file holds no pixels.");
        long blocks = frame.Blocks();
        if (entropyBytes * 8 < blocks)
            throw Reject.Malformed(source,
                $"its scans hold {entropyBytes} bytes, but {frame.Width} × {frame.Height} has {blocks} blocks of 8 ",
                $"× 8 and each needs at least one bit; the header lies about the size or the data is missing.");
    }

    // The entropy-coded data runs to the first marker that is not a stuffed 0xFF00 or an RSTn (B.1.1.5).
    private static int EndOfEntropyData(byte[] file, int position, string? source)
    {
        while (true)
        {
            int next = Array.IndexOf(file, (byte)0xFF, position);
            if (next < 0 || next + 1 >= file.Length)
                throw Reject.Malformed(source,
                    $"the scan data from byte {position} runs to the end of the file without a marker (truncated).");
            byte b = file[next + 1];
            if (b == 0x00 || b is >= 0xD0 and <= 0xD7 || b == 0xFF) position = next + 1;
            else return next;
        }
    }

    private sealed record Frame(int Width, int Height, int[] H, int[] V)
    {
        public static Frame Parse(ReadOnlySpan<byte> body, int at, string? source, ImageReadOptions options)
        {
            if (body.Length < 6)
                throw Reject.Malformed(source, $"the frame header at byte {at} is {body.Length + 2} bytes long.");
            int precision = body[0], height = body[1] << 8 | body[2], width =
                body[3] << 8 | body[4], components = body[5];
            if (precision != 8)
                throw Reject.Unsupported(source,
                    $"the frame has {precision}-bit samples; the decoder reads 8-bit JPEG only.");
            if (height == 0)
                throw Reject.Unsupported(source,
                    $"the frame header gives height 0 (set later by a DNL marker), which the decoder does not read.");
            if (components is not (1 or 3 or 4))
                throw Reject.Unsupported(source,
                    $"the frame has {components} components; the decoder reads 1 (grey), 3 (YCbCr/RGB) or 4 (CMYK).");
            if (body.Length != 6 + 3 * components)
                throw Reject.Malformed(source,
                    $"the frame header at byte {at} is {body.Length + 2} bytes long for {components} components.");
            Reject.CheckSize(source, width, height, options);
            int[] h = new int[components], v = new int[components];
            for (int c = 0; c < components; c++)
            {
                (h[c], v[c]) = (body[7 + 3 * c] >> 4, body[7 + 3 * c] & 15);
                if (h[c] is < 1 or > 4 || v[c] is < 1 or > 4)
                    throw Reject.Malformed(source,
                        $"component {c} has sampling factors {h[c]} × {v[c]}, outside 1 … 4.");
            }
            return new Frame(width, height, h, v);
        }

        // Blocks per component (A.1.1): the component is ⌈X · H_i / H_max⌉ × ⌈Y · V_i / V_max⌉ samples.
        public long Blocks()
        {
            int hMax = H.Max(), vMax = V.Max();
            long blocks = 0;
            for (int c = 0; c < H.Length; c++)
            {
                long x = ((long)Width * H[c] + hMax - 1) / hMax, y = ((long)Height * V[c] + vMax - 1) / vMax;
                blocks += (x + 7) / 8 * ((y + 7) / 8);
            }
            return blocks;
        }
    }
}
