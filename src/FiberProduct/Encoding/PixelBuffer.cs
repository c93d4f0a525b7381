using System.Globalization;

namespace FiberProduct.Encoding;

/// <summary>
/// An 8-bit image: <see cref="Height"/> rows of <see cref="Width"/> pixels with <see cref="Channels"/> interleaved
/// channels (1 grayscale, 3 RGB, 4 RGBA), rows <see cref="Stride"/> bytes apart.
/// </summary>
public sealed class PixelBuffer
{
    private readonly byte[] data;

    /// <summary>Wraps pixel data (copied: Height × Stride bytes at most are kept).</summary>
    /// <param name="data">Row-major bytes, row y starting at y·stride, channels interleaved; at least
    /// stride·(height − 1) + width·channels bytes.</param>
    /// <param name="width">Pixels per row; at least 1.</param>
    /// <param name="height">Rows; at least 1.</param>
    /// <param name="channels">1 (grayscale), 3 (RGB) or 4 (RGBA).</param>
    /// <param name="stride">Bytes from one row to the next; 0 (the default) for width × channels, no padding.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, the channel count is not 1, 3 or 4, or the
    /// stride is below width × channels.</exception>
    /// <exception cref="ArgumentException">The buffer is shorter than the last row needs.</exception>
    public PixelBuffer(ReadOnlySpan<byte> data, int width, int height, int channels, int stride = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is not (1 or 3 or 4))
            throw new ArgumentOutOfRangeException(nameof(channels), channels,
                "Expected 1 (grayscale), 3 (RGB) or 4 (RGBA) channels.");
        if (stride == 0) stride = width * channels;
        if (stride < width * channels)
            throw new ArgumentOutOfRangeException(nameof(stride), stride,
                string.Create(CultureInfo.InvariantCulture,
                    $"A row of {width} pixels × {channels} channels needs at least {width * channels} bytes."));
        long needed = (long)stride * (height - 1) + (long)width * channels;
        if (data.Length < needed)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"A {width} × {height} image with {channels} channels and stride {stride} needs {needed} bytes; the "
                + $"buffer holds {data.Length}."), nameof(data));
        Width = width; Height = height; Channels = channels; Stride = stride;
        this.data = data[..(int)needed].ToArray();
    }

    /// <summary>Pixels per row.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>Channels per pixel, interleaved.</summary>
    public int Channels { get; }

    /// <summary>Bytes from one row to the next.</summary>
    public int Stride { get; }

    /// <summary>The intensity of a channel of the pixel at (x, y).</summary>
    /// <param name="x">The column, 0 … Width − 1.</param>
    /// <param name="y">The row, 0 … Height − 1 (row 0 at the top).</param>
    /// <param name="channel">The channel, 0 … Channels − 1 (R, G, B, A order).</param>
    /// <exception cref="ArgumentOutOfRangeException">The position or channel lies outside the image.</exception>
    public byte this[int x, int y, int channel]
    {
        get
        {
            if ((uint)x >= (uint)Width || (uint)y >= (uint)Height || (uint)channel >= (uint)Channels)
                throw new ArgumentOutOfRangeException(nameof(x),
                    string.Create(CultureInfo.InvariantCulture,
                        $"({x}, {y}, channel {channel}) lies outside the {Width} × {Height} × {Channels} image."));
            return data[y * Stride + x * Channels + channel];
        }
    }

    /// <summary>The pixels without row padding: Height × Width × Channels bytes.</summary>
    /// <returns>A new array, row-major, channels interleaved (the layout NumPy's (H, W, C) uint8 arrays
    /// have).</returns>
    public byte[] ToPackedArray()
    {
        var packed = new byte[Width * Height * Channels];
        for (int y = 0; y < Height; y++)
            data.AsSpan(y * Stride, Width * Channels).CopyTo(packed.AsSpan(y * Width * Channels));
        return packed;
    }
}

/// <summary>How the channels of a pixel are laid out within a patch polynomial.</summary>
public enum ChannelLayout
{
    /// <summary>Channels of each pixel adjacent: R G B R G B … (coefficient (pixel · channels + channel)).</summary>
    Interleaved,

    /// <summary>All of one channel, then the next: R R … G G … B B … (coefficient (channel · pixels
    /// + pixel)).</summary>
    Planar,
}
