using System.Globalization;
using FiberProduct.Encoding;
using FiberProduct.Imaging.Formats;

namespace FiberProduct.Imaging;

/// <summary>
/// Netpbm (PBM P1/P4, PGM P2/P5, PPM P3/P6; netpbm.sourceforge.net/doc): a whitespace-separated header with # comments,
/// then the samples. Samples are kept as stored (maxval below 255 is not rescaled); PBM bits become 0 for black (bit 1)
/// and 255 for white (bit 0). The header is checked against the bytes present before the pixels are allocated.
/// </summary>
internal static class Netpbm
{
    public static bool IsNetpbm(ReadOnlySpan<byte> file) =>
        file.Length >= 2 && file[0] == (byte)'P' && file[1] is >= (byte)'1' and <= (byte)'6';

    public static PixelBuffer Decode(byte[] file, string? source, ImageReadOptions options)
    {
        int kind = file[1] - '0';
        int position = 2;
        long width = ReadNumber(file, source, ref position, "width"), height =
            ReadNumber(file, source, ref position, "height");
        long maxValue = kind is 1 or 4 ? 1 : ReadNumber(file, source, ref position, "maxval");
        if (maxValue is < 1 or > 65535)
            throw Reject.Malformed(source, $"netpbm maxval {maxValue} is outside 1 … 65535.");
        if (maxValue > 255)
            throw Reject.Unsupported(source,
                $"the netpbm file has maxval {maxValue} (16 bits per sample); Z_256[x] holds 8-bit intensities and ",
                $"reducing them would lose information.");
        Reject.CheckSize(source, width, height, options);
        int channels = kind is 3 or 6 ? 3 : 1, w = (int)width, h = (int)height;
        long samples = width * height * channels;
        bool binary = kind >= 4;
        // Exactly one whitespace byte separates the header from binary data.
        if (binary && (position >= file.Length || !IsSpace(file[position++])))
            throw Reject.Malformed(source,
                $"the netpbm header does not end in a whitespace byte before the binary data.");
        long needed = kind == 4 ? (width + 7) / 8 * height : binary ? samples : samples * (kind == 1 ? 1 : 2) - 1;
        if (file.Length - position < needed)
            throw Reject.Malformed(source,
                $"the netpbm header promises {width} × {height} × {channels} samples, which need at least {needed} ",
                $"bytes; the file has {file.Length - position} after the header.");

        var data = new byte[samples];
        switch (kind)
        {
            case 5 or 6:
                for (long i = 0; i < samples; i++) data[i] = Sample(file[position + i], maxValue, i, source);
                break;
            case 4:
                int rowBytes = (w + 7) / 8;
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        data[(long)y * w + x] = (file[position + y * rowBytes + x / 8] >> (7 - x % 8) & 1) == 1
                            ? (byte)0 : (byte)255;
                break;
            case 1:
                for (long i = 0; i < samples; i++)
                {
                    SkipSpace(file, ref position);
                    // Plain PBM digits need no separator ("0101" is four pixels).
                    if (position >= file.Length || file[position] is not ((byte)'0' or (byte)'1'))
                        throw Reject.Malformed(source, $"plain PBM: expected bit {i} of {samples} at byte {position}.");
                    data[i] = file[position++] == '1' ? (byte)0 : (byte)255;
                }
                break;
            default:
                for (long i = 0; i < samples; i++)
                    data[i] = Sample(ReadNumber(file, source, ref position, "sample"), maxValue, i, source);
                break;
        }
        return new PixelBuffer(data, w, h, channels);
    }

    public static void Write(Stream stream, PixelBuffer image)
    {
        if (image.Channels == 4)
            throw new ArgumentException(
                "Netpbm PGM and PPM hold 1 or 3 channels; this image has 4 (drop or flatten the alpha channel first).",
                nameof(image));
        var header = string.Create(CultureInfo.InvariantCulture,
            $"P{(image.Channels == 1 ? 5 : 6)}\n{image.Width} {image.Height}\n255\n");
        stream.Write(System.Text.Encoding.ASCII.GetBytes(header));
        stream.Write(image.ToPackedArray());
    }

    private static byte Sample(long value, long maxValue, long index, string? source) => value <= maxValue ? (byte)value
        : throw Reject.Malformed(source, $"netpbm sample {index} is {value}, above maxval {maxValue}.");

    private static long ReadNumber(byte[] file, string? source, ref int position, string what)
    {
        SkipSpace(file, ref position);
        int start = position;
        long value = 0;
        while (position < file.Length && file[position] is >= (byte)'0' and <= (byte)'9')
        {
            value = value * 10 + (file[position++] - '0');
            if (value > int.MaxValue)
                throw Reject.Malformed(source, $"netpbm {what} at byte {start} is larger than {int.MaxValue}.");
        }
        if (position == start)
            throw Reject.Malformed(source, $"netpbm: expected the {what} (a decimal number) at byte {start}.");
        return value;
    }

    private static void SkipSpace(byte[] file, ref int position)
    {
        while (position < file.Length)
        {
            if (file[position] == '#')
                while (position < file.Length && file[position] is not ((byte)'\n' or (byte)'\r'))
                    position++;
            else if (IsSpace(file[position])) position++;
            else return;
        }
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0B or 0x0C;
}
