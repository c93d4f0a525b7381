namespace FiberProduct.Imaging;

/// <summary>Which channels a decoded image gets.</summary>
public enum ColorMode
{
    /// <summary>As stored: grey → 1 channel, RGB → 3, RGBA → 4; grey with alpha becomes RGBA (grey copied to R,
    /// G, B).</summary>
    AsStored,

    /// <summary>1 channel. Colour images are converted (StbImageSharp's integer luma, a lossy step the caller asked
    /// for).</summary>
    Grayscale,

    /// <summary>3 channels; grey is copied to R, G and B, alpha is dropped.</summary>
    Rgb,

    /// <summary>4 channels; alpha is 255 where the file has none.</summary>
    Rgba,
}
