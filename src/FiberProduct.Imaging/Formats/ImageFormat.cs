namespace FiberProduct.Imaging.Formats;

/// <summary>The formats told apart by their first bytes; TGA has no signature and is what is left.</summary>
internal enum ImageFormat { Netpbm, Png, Jpeg, Gif, Bmp, Psd, RadianceHdr, Tga }

internal static class FormatSniffer
{
    public static ImageFormat Detect(ReadOnlySpan<byte> file)
    {
        if (file.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            return ImageFormat.Png;
        if (file.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8])) return ImageFormat.Jpeg;
        if (file.StartsWith("GIF87a"u8) || file.StartsWith("GIF89a"u8)) return ImageFormat.Gif;
        if (file.StartsWith("BM"u8)) return ImageFormat.Bmp;
        if (file.StartsWith("8BPS"u8)) return ImageFormat.Psd;
        // stb_image reads HDR files that start with either signature.
        if (file.StartsWith("#?RADIANCE"u8) || file.StartsWith("#?RGBE"u8)) return ImageFormat.RadianceHdr;
        if (Netpbm.IsNetpbm(file)) return ImageFormat.Netpbm;
        return ImageFormat.Tga;
    }
}
