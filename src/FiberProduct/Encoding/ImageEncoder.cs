using System.Globalization;
using FiberProduct.Algebra;

namespace FiberProduct.Encoding;

/// <summary>
/// Images to Z_256[x] and back, losslessly (the paper's image model): the image is cut into patches of
/// <see cref="PatchWidth"/> × <see cref="PatchHeight"/> pixels, taken in row-major order over the patch grid; each
/// patch becomes one polynomial whose coefficients are its intensities, pixels in row-major order within the patch and
/// channels laid out as <see cref="Layout"/> says. Patches that overhang the right or bottom edge are padded with
/// intensity 0; the decoder crops the padding away again, given the image size.
/// </summary>
/// <remarks>
/// A W × H image with c channels gives ⌈W/p⌉·⌈H/q⌉ patches, each of degree below p·q·c; encoding and
/// decoding are O(⌈W/p⌉·⌈H/q⌉·p·q·c) and allocate one coefficient array per patch.
/// </remarks>
/// <example>
/// <code>
/// var encoder = new ImageEncoder(16, 16);                              // 16 × 16 patches, channels interleaved
/// PixelBuffer image = ImageFile.Load("photo.png", ColorMode.Rgb);      // FiberProduct.Imaging
/// IReadOnlyList&lt;ZnPolynomial&gt; patches = encoder.Encode(image);       // each in Z_256[x], degree &lt; 16·16·3
/// PixelBuffer back = encoder.Decode(patches, image.Width, image.Height, image.Channels);   // the same pixels
/// </code>
/// </example>
public sealed class ImageEncoder
{
    /// <summary>An encoder for p × q patches.</summary>
    /// <param name="patchWidth">p, pixels per patch row; at least 1.</param>
    /// <param name="patchHeight">q, rows per patch; at least 1.</param>
    /// <param name="layout">Where each channel goes within a patch polynomial (interleaved by default).</param>
    /// <exception cref="ArgumentOutOfRangeException">A patch size is below 1, or <paramref name="layout"/> is not a
    /// <see cref="ChannelLayout"/>.</exception>
    public ImageEncoder(int patchWidth, int patchHeight, ChannelLayout layout = ChannelLayout.Interleaved)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(patchWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(patchHeight, 1);
        if (!Enum.IsDefined(layout))
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "Unknown channel layout.");
        PatchWidth = patchWidth;
        PatchHeight = patchHeight;
        Layout = layout;
    }

    /// <summary>p, pixels per patch row.</summary>
    public int PatchWidth { get; }

    /// <summary>q, rows per patch.</summary>
    public int PatchHeight { get; }

    /// <summary>Where each channel's intensity goes within a patch polynomial.</summary>
    public ChannelLayout Layout { get; }

    /// <summary>The patches of an image as polynomials over Z_256, patch rows top to bottom, patches left to
    /// right.</summary>
    /// <param name="image">The image, any size and 1, 3 or 4 channels.</param>
    /// <returns>⌈W/p⌉·⌈H/q⌉ new polynomials of Z_256[x]; patch k's coefficient of x^(pixel·c + channel)
    /// (interleaved) or x^(channel·p·q + pixel) (planar) is that intensity, 0 … 255. Normalised: trailing zero
    /// intensities (black pixels, padding) leave no coefficients, so give the size back to
    /// <see cref="Decode"/>.</returns>
    public IReadOnlyList<ZnPolynomial> Encode(PixelBuffer image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int across = (image.Width + PatchWidth - 1) / PatchWidth, down = (image.Height + PatchHeight - 1) / PatchHeight;
        int pixels = PatchWidth * PatchHeight, channels = image.Channels;
        var patches = new List<ZnPolynomial>(across * down);
        var coefficients = new uint[pixels * channels];
        for (int py = 0; py < down; py++)
            for (int px = 0; px < across; px++)
            {
                Array.Clear(coefficients);
                for (int dy = 0; dy < PatchHeight; dy++)
                    for (int dx = 0; dx < PatchWidth; dx++)
                    {
                        int x = px * PatchWidth + dx, y = py * PatchHeight + dy;
                        if (x >= image.Width || y >= image.Height) continue; // padding: intensity 0
                        int pixel = dy * PatchWidth + dx;
                        for (int c = 0; c < channels; c++)
                            coefficients[Index(pixel, c, pixels, channels)] = image[x, y, c];
                    }
                patches.Add(PolynomialRing.Z256.Create(coefficients));
            }
        return patches;
    }

    /// <summary>The image back from its patches (the inverse of <see cref="Encode"/> for an image of the given
    /// size).</summary>
    /// <param name="patches">The patches, in <see cref="Encode"/>'s order.</param>
    /// <param name="width">W, the image's width in pixels; at least 1.</param>
    /// <param name="height">H, the image's height in pixels; at least 1.</param>
    /// <param name="channels">c: 1, 3 or 4, as encoded.</param>
    /// <returns>A new W × H image with c channels; the padding of edge patches is dropped.</returns>
    /// <exception cref="ArgumentException">The patch count does not fit the size, a patch is too long or not over
    /// Z_256.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="height"/> is below 1,
    /// or <paramref name="channels"/> is not 1, 3 or 4.</exception>
    public PixelBuffer Decode(IReadOnlyList<ZnPolynomial> patches, int width, int height, int channels)
    {
        ArgumentNullException.ThrowIfNull(patches);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is not (1 or 3 or 4))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Expected 1, 3 or 4 channels.");
        int across = (width + PatchWidth - 1) / PatchWidth, down = (height + PatchHeight - 1) / PatchHeight;
        if (patches.Count != across * down)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"A {width} × {height} image in {PatchWidth} × {PatchHeight} patches has {across * down} patches; "
                + $"got {patches.Count}."), nameof(patches));
        int pixels = PatchWidth * PatchHeight;
        var data = new byte[width * height * channels];
        for (int k = 0; k < patches.Count; k++)
        {
            var patch = patches[k];
            if (patch.Ring != PolynomialRing.Z256)
                throw new ArgumentException($"Patch {k} lies in {patch.Ring}, not Z_256[x].", nameof(patches));
            if (patch.Length > pixels * channels)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Patch {k} has degree {patch.Degree}; a patch holds {pixels * channels} coefficients."),
                    nameof(patches));
            int px = k % across, py = k / across;
            for (int dy = 0; dy < PatchHeight; dy++)
                for (int dx = 0; dx < PatchWidth; dx++)
                {
                    int x = px * PatchWidth + dx, y = py * PatchHeight + dy;
                    if (x >= width || y >= height) continue;
                    int pixel = dy * PatchWidth + dx;
                    for (int c = 0; c < channels; c++)
                        data[(y * width + x) * channels + c] = (byte)patch[Index(pixel, c, pixels, channels)];
                }
        }
        return new PixelBuffer(data, width, height, channels);
    }

    private int Index(int pixel, int channel, int pixels, int channels) =>
        Layout == ChannelLayout.Interleaved ? pixel * channels + channel : channel * pixels + pixel;
}
