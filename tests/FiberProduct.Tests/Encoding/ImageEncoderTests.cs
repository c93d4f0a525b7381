using FiberProduct.Algebra;
using FiberProduct.Encoding;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Encoding;

public class ImageEncoderTests
{
    [Property(MaxTest = 300)]
    public bool Encode_ThenDecode_IsTheIdentity(byte w, byte h, byte pw, byte ph, bool planar,
        byte channelChoice, int seed)
    {
        int width = 1 + w % 23, height = 1 + h % 19, channels = new[] { 1, 3, 4 }[channelChoice % 3];
        var random = new Random(seed);
        var pixels = new byte[width * height * channels];
        random.NextBytes(pixels);
        var image = new PixelBuffer(pixels, width, height, channels);
        var encoder = new ImageEncoder(1 + pw % 9, 1 + ph % 9, planar ? ChannelLayout.Planar
            : ChannelLayout.Interleaved);
        var patches = encoder.Encode(image);
        return encoder.Decode(patches, width, height, channels).ToPackedArray().AsSpan().SequenceEqual(pixels)
            && patches.All(p => p.Ring == PolynomialRing.Z256);
    }

    [Fact]
    public void ScanOrder_IsDocumented()
    {
        // 3 × 2 RGB image, 2 × 2 patches: two patches; the right one overhangs and is padded with zeros.
        byte[] pixels =
        [
            1, 2, 3,   4, 5, 6,   7, 8, 9,
            10, 11, 12, 13, 14, 15, 16, 17, 18,
        ];
        var image = new PixelBuffer(pixels, 3, 2, 3);
        var interleaved = new ImageEncoder(2, 2).Encode(image);
        Assert.Equal(2, interleaved.Count);
        Assert.Equal(new uint[] { 1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15 }, interleaved[0].Coefficients.ToArray());
        Assert.Equal(new uint[] { 7, 8, 9, 0, 0, 0, 16, 17, 18 }, interleaved[1].Coefficients.ToArray());
        var planar = new ImageEncoder(2, 2, ChannelLayout.Planar).Encode(image);
        Assert.Equal(new uint[] { 1, 4, 10, 13, 2, 5, 11, 14, 3, 6, 12, 15 }, planar[0].Coefficients.ToArray());
    }

    [Fact]
    public void Stride_IsHonoured_AndBadInputRejected()
    {
        var padded = new byte[] { 1, 2, 99, 3, 4, 99 }; // 2 × 2 grayscale, stride 3
        var image = new PixelBuffer(padded, 2, 2, 1, stride: 3);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, image.ToPackedArray());
        Assert.Equal(new uint[] { 1, 2, 3, 4 }, new ImageEncoder(2, 2).Encode(image)[0].Coefficients.ToArray());

        var e = Assert.Throws<ArgumentException>(() => new PixelBuffer(new byte[11], 2, 2, 3));
        Assert.Contains("needs 12 bytes", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PixelBuffer(new byte[8], 2, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PixelBuffer(new byte[12], 2, 2, 3, stride: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageEncoder(0, 2));
        Assert.Throws<ArgumentException>(() => new ImageEncoder(2, 2).Decode([PolynomialRing.Z256.One], 4, 4, 1));
        Assert.Throws<ArgumentException>(() => new ImageEncoder(1, 1)
            .Decode([PolynomialRing.Z256.Monomial(1, 5)], 1, 1, 1));
    }
}
