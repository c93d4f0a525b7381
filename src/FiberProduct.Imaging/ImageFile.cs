using System.Globalization;
using FiberProduct.Encoding;
using StbImageSharp;

namespace FiberProduct.Imaging;

/// <summary>
/// Image files to <see cref="PixelBuffer"/>s with 8-bit intensities, ready for <see cref="ImageEncoder"/>: PNG, JPEG,
/// BMP, TGA, GIF (first frame) and PSD through StbImageSharp (managed), netpbm P1–P6 by this library. Nothing is
/// rescaled or truncated silently: files with more than 8 bits per channel (16-bit PNG, PGM with maxval above 255, HDR)
/// are rejected, and the pixel count is checked against a limit before any pixel memory is allocated.
/// </summary>
public static class ImageFile
{
    /// <summary>The default limit on width × height: 2^26 pixels (for instance 8192 × 8192).</summary>
    public const long DefaultMaxPixels = 1L << 26;

    /// <summary>Decodes an image file.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable image, or its header disagrees with its data.</exception>
    /// <exception cref="NotSupportedException">The image has more than 8 bits per channel.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The image has more than <paramref name="maxPixels"/> pixels.</exception>
    public static PixelBuffer Load(string path, ColorMode mode = ColorMode.AsStored, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No image file at '{path}'.", path);
        return Decode(File.ReadAllBytes(path), mode, maxPixels);
    }

    /// <summary>Decodes an image from a stream (read to its end).</summary>
    /// <inheritdoc cref="Load" path="/exception"/>
    public static PixelBuffer Decode(Stream stream, ColorMode mode = ColorMode.AsStored, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Decode(copy.ToArray(), mode, maxPixels);
    }

    private static PixelBuffer Decode(byte[] file, ColorMode mode = ColorMode.AsStored, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown colour mode.");
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPixels, 1);
        var image = Netpbm.IsNetpbm(file) ? Netpbm.Decode(file, maxPixels) : DecodeWithStb(file, mode, maxPixels);
        return Convert(image, mode);
    }

    /// <summary>
    /// Writes a grey (PGM, P5) or RGB (PPM, P6) image as binary netpbm with maxval 255, byte for byte what
    /// <see cref="Load"/> reads back.
    /// </summary>
    /// <exception cref="ArgumentException">The image has 4 channels.</exception>
    public static void SaveNetpbm(PixelBuffer image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(path);
        if (image.Channels == 4) Netpbm.Write(Stream.Null, image); // throws before the file is created
        using var stream = File.Create(path);
        Netpbm.Write(stream, image);
    }

    internal static void CheckSize(long width, long height, long maxPixels)
    {
        if (width < 1 || height < 1)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The image header gives a size of {width} × {height}."));
        if (width * height > maxPixels)
            throw new ArgumentOutOfRangeException(nameof(maxPixels), maxPixels,
                string.Create(CultureInfo.InvariantCulture, $"The image is {width} × {height} = {width * height} pixels, above the limit of {maxPixels}; pass a larger maxPixels to decode it."));
    }

    private static PixelBuffer DecodeWithStb(byte[] file, ColorMode mode, long maxPixels)
    {
        ImageInfo info;
        using (var probe = new MemoryStream(file, writable: false))
            info = ImageInfo.FromStream(probe) ?? throw new InvalidDataException("Not an image StbImageSharp can read (PNG, JPEG, BMP, TGA, GIF, PSD) nor a netpbm file.");
        if (info.BitsPerChannel != 8)
            throw new NotSupportedException(string.Create(CultureInfo.InvariantCulture,
                $"The image has {info.BitsPerChannel} bits per channel; Z_256[x] holds 8-bit intensities and reducing them would lose information."));
        CheckSize(info.Width, info.Height, maxPixels);
        // Grey+alpha has no PixelBuffer layout (1, 3 or 4 channels): ask the decoder for RGBA, which keeps every value.
        var request = mode == ColorMode.Grayscale ? ColorComponents.Grey : info.ColorComponents == ColorComponents.GreyAlpha ? ColorComponents.RedGreenBlueAlpha : ColorComponents.Default;
        ImageResult result;
        try { result = ImageResult.FromMemory(file, request); }
        catch (Exception e) when (e is InvalidOperationException or IndexOutOfRangeException or ArgumentException)
        {
            throw new InvalidDataException($"The image could not be decoded: {e.Message}", e);
        }
        int channels = result.Comp switch
        {
            ColorComponents.Grey => 1,
            ColorComponents.RedGreenBlue => 3,
            ColorComponents.RedGreenBlueAlpha => 4,
            _ => throw new InvalidDataException($"Unexpected decoded layout {result.Comp}."),
        };
        return new PixelBuffer(result.Data, result.Width, result.Height, channels);
    }

    private static PixelBuffer Convert(PixelBuffer image, ColorMode mode)
    {
        int target = mode switch { ColorMode.Rgb => 3, ColorMode.Rgba => 4, ColorMode.Grayscale => 1, _ => image.Channels };
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
