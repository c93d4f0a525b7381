namespace FiberProduct.Imaging;

/// <summary>Why <see cref="ImageFile"/> refused an image (<see cref="ImageFormatException.Reason"/>).</summary>
public enum ImageRejection
{
    /// <summary>The bytes are not a well-formed image: a bad or lying header, a structure out of bounds,
    /// truncation.</summary>
    Malformed,

    /// <summary>A well-formed image this library does not read: more than 8 bits per channel, Radiance HDR, or a
    /// JPEG coding process (lossless, arithmetic, hierarchical) the decoder lacks.</summary>
    Unsupported,

    /// <summary>The image is larger than <see cref="ImageReadOptions"/> allow; raise the limit to read it.</summary>
    LimitExceeded,
}
