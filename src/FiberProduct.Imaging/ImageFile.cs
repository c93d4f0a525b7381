using FiberProduct.Encoding;
using FiberProduct.Imaging.Formats;

namespace FiberProduct.Imaging;

/// <summary>
/// Image files to <see cref="PixelBuffer"/>s with 8-bit intensities, ready for <see cref="ImageEncoder"/>: PNG, JPEG,
/// BMP, TGA, GIF (first frame) and PSD through StbImageSharp (managed), netpbm P1–P6 by this library. Nothing is
/// rescaled or truncated silently: files with more than 8 bits per channel (16-bit PNG or PSD, PGM with maxval above
/// 255) and Radiance HDR files (floating-point radiance) are refused, and so are truncated files, whose missing pixels
/// the decoder would invent. PNG and JPEG files are checked structurally (chunk bounds and CRCs, zlib size; marker
/// bounds, EOI, data enough for the size) before they reach the decoder, the size is checked against
/// <see cref="ImageReadOptions"/> before any pixel memory is allocated, and the decoder reads through a stream that
/// ends its loops at the end of the file. Safe for untrusted files: every problem with the bytes is an
/// <see cref="ImageFormatException"/>.
/// </summary>
public static class ImageFile
{
    /// <summary>The default limit on width × height: 2^26 pixels (for instance 8192 × 8192).</summary>
    public const long DefaultMaxPixels = ImageReadOptions.DefaultMaxPixels;

    /// <summary>Decodes an image file.</summary>
    /// <param name="path">The file; its format is told by its first bytes, not its name.</param>
    /// <param name="mode">Which channels the image gets.</param>
    /// <param name="options">Limits; null for <see cref="ImageReadOptions.Default"/>.</param>
    /// <exception cref="ImageFormatException">The file is not a well-formed image of a format and variant this library
    /// reads, or it is larger than <paramref name="options"/> allow (<see cref="ImageFormatException.Reason"/> says
    /// which); the message names the file and the reason. No other exception comes from the file's bytes.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="IOException">The file system failed to read the file (as <see cref="File.ReadAllBytes"/> throws
    /// it; also <see cref="UnauthorizedAccessException"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a
    /// <see cref="ColorMode"/>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <returns>A new image, Width × Height pixels of 8-bit intensities, with the channels <paramref name="mode"/>
    /// asks for (as stored: 1, 3 or 4); rows top to bottom, no padding.</returns>
    /// <example>
    /// <code>
    /// PixelBuffer image = ImageFile.Load("photo.jpg", ColorMode.Rgb);    // 3 channels, whatever the file stores
    /// var patches = new ImageEncoder(16, 16).Encode(image);             // into Z_256[x]
    ///
    /// var strict = new ImageReadOptions { MaxPixels = 4096 * 4096, MaxFileBytes = 32L &lt;&lt; 20 };
    /// try { image = ImageFile.Load("upload.png", ColorMode.AsStored, strict); }
    /// catch (ImageFormatException e) when (e.Reason == ImageRejection.LimitExceeded) { /* too large */ }
    /// </code>
    /// </example>
    public static PixelBuffer Load(string path, ColorMode mode = ColorMode.AsStored, ImageReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        CheckMode(mode);
        options ??= ImageReadOptions.Default;
        var file = new FileInfo(path);
        if (!file.Exists) throw new FileNotFoundException($"No image file at '{path}'.", path);
        if (file.Length > options.MaxFileBytes)
            throw Reject.Limit(path,
                $"the file has {file.Length} bytes, above the limit of {options.MaxFileBytes} ",
                $"(ImageReadOptions.MaxFileBytes).");
        return Decode(File.ReadAllBytes(path), path, mode, options);
    }

    /// <summary>Decodes an image from a stream, read to its end (at most <see cref="ImageReadOptions.MaxFileBytes"/>
    /// and one more byte are read).</summary>
    /// <param name="stream">The image's bytes.</param>
    /// <param name="mode">Which channels the image gets.</param>
    /// <param name="options">Limits; null for <see cref="ImageReadOptions.Default"/>.</param>
    /// <exception cref="ImageFormatException">As for <see cref="Load"/>; the message says "the image
    /// stream".</exception>
    /// <exception cref="IOException">The stream itself failed (whatever it throws passes through).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a
    /// <see cref="ColorMode"/>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <returns>A new image, as <see cref="Load"/> returns it.</returns>
    public static PixelBuffer Decode(Stream stream, ColorMode mode = ColorMode.AsStored,
        ImageReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckMode(mode);
        options ??= ImageReadOptions.Default;
        using var copy = new MemoryStream();
        var buffer = new byte[1 << 16];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            if (copy.Length + n > options.MaxFileBytes)
                throw Reject.Limit(null,
                    $"the stream holds more than {options.MaxFileBytes} bytes, the limit ",
                    $"(ImageReadOptions.MaxFileBytes).");
            copy.Write(buffer, 0, n);
        }
        return Decode(copy.ToArray(), null, mode, options);
    }

    /// <summary>
    /// Writes a grey (PGM, P5) or RGB (PPM, P6) image as binary netpbm with maxval 255, byte for byte what
    /// <see cref="Load"/> reads back.
    /// </summary>
    /// <param name="image">An image of 1 channel (written as PGM) or 3 (PPM).</param>
    /// <param name="path">The file, created or overwritten; nothing is created when the image is refused.</param>
    /// <exception cref="ArgumentException">The image has 4 channels.</exception>
    public static void SaveNetpbm(PixelBuffer image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(path);
        if (image.Channels == 4) Netpbm.Write(Stream.Null, image); // throws before the file is created
        using var stream = File.Create(path);
        Netpbm.Write(stream, image);
    }

    private static void CheckMode(ColorMode mode)
    {
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown colour mode.");
    }

    private static PixelBuffer Decode(byte[] file, string? source, ColorMode mode, ImageReadOptions options)
    {
        try
        {
            if (file.Length == 0) throw Reject.Malformed(source, $"it is empty.");
            var format = FormatSniffer.Detect(file);
            var image = format switch
            {
                ImageFormat.Netpbm => Netpbm.Decode(file, source, options),
                ImageFormat.RadianceHdr => throw Reject.Unsupported(source,
                    $"it is a Radiance HDR file; its floating-point radiance has no 8-bit reading that loses nothing, ",
                    $"so convert it (tone-map) first."),
                _ => StbDecoder.Decode(file, format, mode, source, options),
            };
            return Convert(image, mode);
        }
        catch (ImageFormatException) { throw; }
        catch (OutOfMemoryException) { throw; } // within the caller's limits, the machine itself is short of memory
        catch (Exception e)
        {
            // Anything else that escapes the decoder on these bytes (a bug of the decoder, found by fuzzing or not) is
            // still about this file: the one documented type, with the decoder's exception inside.
            throw new ImageFormatException(source, ImageRejection.Malformed,
                $"the decoder failed on it ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    private static PixelBuffer Convert(PixelBuffer image, ColorMode mode)
    {
        int target = mode switch { ColorMode.Rgb => 3, ColorMode.Rgba => 4,
            ColorMode.Grayscale => 1, _ => image.Channels };
        if (target == image.Channels) return image;
        if (target == 1) return Grey(image);
        var data = new byte[image.Width * image.Height * target];
        for (int y = 0, k = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++, k += target)
            {
                for (int c = 0; c < 3; c++) data[k + c] = image[x, y, image.Channels == 1 ? 0 : c];
                if (target == 4) data[k + 3] = image.Channels == 4 ? image[x, y, 3] : (byte)255;
            }
        return new PixelBuffer(data, image.Width, image.Height, target);
    }

    // The luma StbImageSharp uses for its own grey conversion ((77 R + 150 G + 29 B) >> 8), so netpbm and stb agree.
    private static PixelBuffer Grey(PixelBuffer image)
    {
        var data = new byte[image.Width * image.Height];
        for (int y = 0, k = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++, k++)
                data[k] = (byte)((image[x, y, 0] * 77 + image[x, y, 1] * 150 + image[x, y, 2] * 29) >> 8);
        return new PixelBuffer(data, image.Width, image.Height, 1);
    }
}
