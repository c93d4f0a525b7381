using FiberProduct.Encoding;
using StbImageSharp;

namespace FiberProduct.Imaging.Formats;

/// <summary>
/// PNG, JPEG, BMP, TGA, GIF (first frame) and PSD through StbImageSharp, over <see cref="DecoderInput"/> (stb_image.h's
/// end-of-buffer rules) after the structural checks of <see cref="PngStructure"/> and <see cref="JpegStructure"/>.
/// </summary>
internal static class StbDecoder
{
    // Formats without a check of their own are bounded by their densest coding: TGA and PSD run-length packets give at
    // most 128 pixels for 2 bytes, a 1-bit BMP 8 pixels per byte. GIF is not bounded this way: a small first frame on a
    // large canvas is valid and the canvas is filled with the background.
    private const long MaxPixelsPerByte = 64;

    public static PixelBuffer Decode(byte[] file, ImageFormat format, ColorMode mode, string? source,
        ImageReadOptions options)
    {
        if (format == ImageFormat.Png) PngStructure.Check(file, source, options);
        else if (format == ImageFormat.Jpeg) JpegStructure.Check(file, source, options);
        // stb_image reads RGB Photoshop files only (colour mode 3, at byte 24 of the header).
        else if (format == ImageFormat.Psd && file.Length >= 26 && (file[24] << 8 | file[25]) is var psdMode and not 3)
            throw Reject.Unsupported(source,
                $"it is a Photoshop file in colour mode {psdMode}; the decoder reads RGB (mode 3) only.");
        ImageInfo info = ImageInfo.FromStream(new DecoderInput(file))
            ?? throw (format == ImageFormat.Tga
                ? Reject.Malformed(source,
                    $"not an image this library reads (PNG, JPEG, BMP, TGA, GIF, PSD, netpbm); as TGA, the only ",
                    $"format without a signature, its header is invalid.")
                : Reject.Malformed(source, $"the {format} header is invalid ({StbImage.stbi__g_failure_reason})."));
        if (info.BitsPerChannel != 8)
            throw Reject.Unsupported(source,
                $"the image has {info.BitsPerChannel} bits per channel; Z_256[x] holds 8-bit intensities and reducing ",
                $"them would lose information.");
        Reject.CheckSize(source, info.Width, info.Height, options);
        if (format is ImageFormat.Bmp or ImageFormat.Tga or ImageFormat.Psd
            && (long)info.Width * info.Height > MaxPixelsPerByte * file.Length)
            throw Reject.Malformed(source,
                $"the header claims {info.Width} × {info.Height} pixels; a {format} file of {file.Length} bytes ",
                $"holds at most {MaxPixelsPerByte * file.Length}.");

        // Grey+alpha has no PixelBuffer layout (1, 3 or 4 channels): ask the decoder for RGBA, which keeps every value.
        var request = mode == ColorMode.Grayscale ? ColorComponents.Grey
            : info.ColorComponents == ColorComponents.GreyAlpha ? ColorComponents.RedGreenBlueAlpha
                : ColorComponents.Default;
        var input = new DecoderInput(file);
        ImageResult result;
        try { result = ImageResult.FromStream(input, request); }
        catch (EndOfImageException) { throw Truncated(source); }
        catch (InvalidOperationException e)
        {
            // StbImageSharp's way of saying that stb_image returned an error; the reason is a static string, shared
            // between threads, so under concurrent decoding it may name another file's problem.
            throw new ImageFormatException(source, ImageRejection.Malformed, $"the decoder refused it: {e.Message}", e);
        }
        // The decoder reads zeros past the end and would invent the missing pixels.
        if (input.EndReads > 0) throw Truncated(source);
        if (result.Width != info.Width || result.Height != info.Height)
            throw Reject.Malformed(source,
                $"the header gives {info.Width} × {info.Height}, the decoder produced ",
                $"{result.Width} × {result.Height}.");
        int channels = result.Comp switch
        {
            ColorComponents.Grey => 1,
            ColorComponents.RedGreenBlue => 3,
            ColorComponents.RedGreenBlueAlpha => 4,
            _ => throw Reject.Malformed(source, $"the decoder produced a layout of {result.Comp}."),
        };
        return new PixelBuffer(result.Data, result.Width, result.Height, channels);
    }

    private static ImageFormatException Truncated(string? source) =>
        new(source, ImageRejection.Malformed, "the decoder needed bytes past the end of the file: it is truncated.");
}
