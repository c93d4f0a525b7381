using FiberProduct.Encoding;
using FiberProduct.Imaging;

namespace FiberProduct.Tests.Encoding;

/// <summary>Image files to pixel buffers: real photographs (PNG, JPEG), netpbm written by Debian's netpbm, bad
/// files.</summary>
public class ImageFileTests
{
    private static string Image(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "images", name);
    private static string Netpbm(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "netpbm", name);

    [Fact]
    public void RealPhotographs_DecodeWithTheirStoredChannels()
    {
        var camera = ImageFile.Load(Image("camera.png"));
        Assert.Equal((512, 512, 1), (camera.Width, camera.Height, camera.Channels));
        var cat = ImageFile.Load(Image("chelsea.png"));
        Assert.Equal((451, 300, 3), (cat.Width, cat.Height, cat.Channels));
        var rocket = ImageFile.Load(Image("rocket.jpg"));
        Assert.Equal((640, 427, 3), (rocket.Width, rocket.Height, rocket.Channels));
        Assert.True(rocket.ToPackedArray().Distinct().Count() > 200, "a photograph uses most intensities");
        var rgba = ImageFile.Load(Image("camera.png"), ColorMode.Rgba);
        Assert.Equal(4, rgba.Channels);
        Assert.Equal((camera[17, 300, 0], camera[17, 300, 0], camera[17, 300, 0], (byte)255),
            (rgba[17, 300, 0], rgba[17, 300, 1], rgba[17, 300, 2], rgba[17, 300, 3]));
        Assert.Equal(1, ImageFile.Load(Image("coffee.png"), ColorMode.Grayscale).Channels);
    }

    [Fact]
    public void Netpbm_FromDebianNetpbm_EqualsThePng()
    {
        // camera.pgm was written by pngtopnm from camera.png: the two decoders must agree on every pixel.
        Assert.Equal(ImageFile.Load(Image("camera.png")).ToPackedArray(),
            ImageFile.Load(Netpbm("camera.pgm")).ToPackedArray());
        var cat = ImageFile.Load(Image("chelsea.png"));
        var crop = ImageFile.Load(Netpbm("chelsea-crop.ppm"));
        var plain = ImageFile.Load(Netpbm("chelsea-crop-plain.ppm"));
        Assert.Equal((64, 48, 3), (crop.Width, crop.Height, crop.Channels));
        Assert.Equal(crop.ToPackedArray(), plain.ToPackedArray());
        for (int y = 0; y < 48; y++)
            for (int x = 0; x < 64; x++)
                for (int c = 0; c < 3; c++)
                    Assert.Equal(cat[100 + x, 50 + y, c], crop[x, y, c]);
    }

    [Fact]
    public void Netpbm_RoundTrips_AndHandWrittenFilesParse()
    {
        string path = Path.GetTempFileName();
        try
        {
            var cat = ImageFile.Load(Image("chelsea.png"));
            ImageFile.SaveNetpbm(cat, path);
            Assert.Equal(cat.ToPackedArray(), ImageFile.Load(path).ToPackedArray());
            Assert.Throws<ArgumentException>(
                () => ImageFile.SaveNetpbm(ImageFile.Load(Image("chelsea.png"), ColorMode.Rgba), path));
        }
        finally { File.Delete(path); }

        // Comments, odd whitespace, maxval below 255 kept as stored, plain and packed bitmaps (1 = black).
        Assert.Equal([0, 7, 3, 15], Decode("P2 # grey\n2 2\n# max\n15\n0 7\n3 15\n").ToPackedArray());
        Assert.Equal([1, 2, 3, 4, 5, 6], Decode("P3\n2 1 255\n1 2 3\t4 5 6").ToPackedArray());
        Assert.Equal([0, 255, 255, 0, 0, 255], Decode("P1\n3 2\n100 1\n10").ToPackedArray());
        Assert.Equal([0, 255, 0, 255, 255, 255, 255, 255, 255, 0],
            Bytes("P4\n10 1\n", 0b1010_0000, 0b0100_0000).ToPackedArray());
        Assert.Equal([9, 8, 7], Bytes("P5 3 1 255\n", 9, 8, 7).ToPackedArray());
    }

    [Fact]
    public void BadFiles_AreRejected_BeforeAllocating_WithOneExceptionType()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var huge = Assert.Throws<ImageFormatException>(() => Bytes("P5 100000 100000 255\n", 1, 2, 3));
        Assert.Equal(ImageRejection.LimitExceeded, huge.Reason);
        Assert.Contains("100000 × 100000", huge.Message, StringComparison.Ordinal);
        var lying = Assert.Throws<ImageFormatException>(() => Bytes("P6 1000 1000 255\n", 1, 2, 3));
        Assert.Equal(ImageRejection.Malformed, lying.Reason);
        Assert.Contains("3000000", lying.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the header's size was allocated");
        Assert.Equal(ImageRejection.Unsupported,
            Assert.Throws<ImageFormatException>(() => Bytes("P5 1 1 65535\n", 1, 2)).Reason);
        Assert.Throws<ImageFormatException>(() => Decode("P2 2 1 15\n3 16"));       // sample above maxval
        Assert.Throws<ImageFormatException>(() => Decode("P2 2 x 15\n3 4"));        // not a number
        Assert.Throws<ImageFormatException>(() => Decode("P2 0 1 15\n"));           // empty image
        Assert.Throws<ImageFormatException>(() => Decode("this is not an image")); // neither netpbm nor stb
        Assert.Throws<ImageFormatException>(() => Decode(""));
        var small = new ImageReadOptions { MaxPixels = 512 * 511 };
        var limit = Assert.Throws<ImageFormatException>(() => ImageFile.Load(Image("camera.png"), options: small));
        Assert.Equal((ImageRejection.LimitExceeded, Image("camera.png")), (limit.Reason, limit.FileName));
        Assert.StartsWith($"The image file '{Image("camera.png")}': ", limit.Message, StringComparison.Ordinal);
        var file = Assert.Throws<ImageFormatException>(
            () => ImageFile.Load(Image("camera.png"), options: new() { MaxFileBytes = 1000 }));
        Assert.Equal(ImageRejection.LimitExceeded, file.Reason);
        var stream = Assert.Throws<ImageFormatException>(
            () => ImageFile.Decode(File.OpenRead(Image("camera.png")), options: new() { MaxFileBytes = 1000 }));
        Assert.StartsWith("The image stream: ", stream.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => ImageFile.Load("/nonexistent.png"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageFile.Load(Image("camera.png"), (ColorMode)9));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageReadOptions { MaxPixels = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new ImageReadOptions { MaxFileBytes = (long)int.MaxValue + 1 });

        // A 16-bit PNG would lose its low bytes: refused. (2 × 1 grey, 16 bits, written by hand with zlib.)
        Assert.Equal(ImageRejection.Unsupported,
            Assert.Throws<ImageFormatException>(() => ImageFile.Decode(new MemoryStream(SixteenBitPng()))).Reason);
    }

    [Fact]
    public void RealPhotographs_RoundTripThroughTheRing()
    {
        foreach (string name in new[] { "camera.png", "chelsea.png", "rocket.jpg" })
        {
            var image = ImageFile.Load(Image(name));
            var encoder = new ImageEncoder(16, 16);
            var patches = encoder.Encode(image);
            Assert.Equal(((image.Width + 15) / 16) * ((image.Height + 15) / 16), patches.Count);
            Assert.Equal(image.ToPackedArray(), encoder.Decode(patches, image.Width,
                image.Height, image.Channels).ToPackedArray());
        }
    }

    private static PixelBuffer Decode(string text) =>
        ImageFile.Decode(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(text)));

    private static PixelBuffer Bytes(string header, params byte[] data) =>
        ImageFile.Decode(new MemoryStream([.. System.Text.Encoding.ASCII.GetBytes(header), .. data]));

    private static byte[] SixteenBitPng()
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", [0, 0, 0, 2, 0, 0, 0, 1, 16, 0, 0, 0, 0]);
        using var raw = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(raw, System.IO.Compression.CompressionLevel.Optimal,
            leaveOpen: true)) z.Write([0, 0x12, 0x34, 0xAB, 0xCD]);
        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();

        static void Chunk(Stream s, string type, byte[] body)
        {
            var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
            s.Write([(byte)(body.Length >> 24), (byte)(body.Length >> 16),
                (byte)(body.Length >> 8), (byte)body.Length]);
            s.Write(typeBytes);
            s.Write(body);
            uint crc = Crc32([.. typeBytes, .. body]);
            s.Write([(byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc]);
        }

        static uint Crc32(byte[] bytes)
        {
            uint crc = 0xFFFFFFFF;
            foreach (byte b in bytes)
            {
                crc ^= b;
                for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
            return ~crc;
        }
    }
}
