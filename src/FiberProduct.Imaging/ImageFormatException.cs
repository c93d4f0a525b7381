namespace FiberProduct.Imaging;

/// <summary>
/// The one exception <see cref="ImageFile"/> throws for the bytes of a file: malformed or truncated, in a format or
/// variant it does not read (16-bit samples, Radiance HDR, arithmetic-coded JPEG …), or larger than the caller's
/// <see cref="ImageReadOptions"/> allow. The message names the file (or "the stream") and the reason;
/// <see cref="Reason"/> says which of the three it is.
/// </summary>
public sealed class ImageFormatException : FormatException
{
    /// <summary>Creates the exception for a file.</summary>
    /// <param name="fileName">The file's path, or null for a stream.</param>
    /// <param name="reason">Malformed, unsupported, or over a limit.</param>
    /// <param name="detail">What was wrong, in a sentence.</param>
    /// <param name="innerException">The decoder's own exception, when it threw one.</param>
    public ImageFormatException(string? fileName, ImageRejection reason, string detail,
        Exception? innerException = null)
        : base($"{(fileName is null ? "The image stream" : $"The image file '{fileName}'")}: {detail}", innerException)
    {
        FileName = fileName;
        Reason = reason;
    }

    /// <summary>Creates the exception.</summary>
    public ImageFormatException() { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ImageFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ImageFormatException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The file's path, or null when the image came from a stream.</summary>
    public string? FileName { get; }

    /// <summary>Why the image was refused.</summary>
    public ImageRejection Reason { get; }
}
