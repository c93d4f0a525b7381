using System.Globalization;

namespace FiberProduct.Imaging.Formats;

/// <summary>The <see cref="ImageFormatException"/>s the readers throw, with invariant-culture messages.</summary>
internal static class Reject
{
    public static ImageFormatException Malformed(string? source, FormattableString detail) =>
        new(source, ImageRejection.Malformed, detail.ToString(CultureInfo.InvariantCulture));

    public static ImageFormatException Unsupported(string? source, FormattableString detail) =>
        new(source, ImageRejection.Unsupported, detail.ToString(CultureInfo.InvariantCulture));

    public static ImageFormatException Limit(string? source, FormattableString detail) =>
        new(source, ImageRejection.LimitExceeded, detail.ToString(CultureInfo.InvariantCulture));

    // A message too long for one source line comes in two parts, joined as one message: a FormattableString cannot be
    // split with + (that makes a string, formatted in the current culture).
    public static ImageFormatException Malformed(string? source, FormattableString detail, FormattableString more) =>
        new(source, ImageRejection.Malformed, Invariant(detail) + Invariant(more));

    public static ImageFormatException Unsupported(string? source, FormattableString detail, FormattableString more) =>
        new(source, ImageRejection.Unsupported, Invariant(detail) + Invariant(more));

    public static ImageFormatException Limit(string? source, FormattableString detail, FormattableString more) =>
        new(source, ImageRejection.LimitExceeded, Invariant(detail) + Invariant(more));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Refuses an empty size, and a size above the caller's pixel limit before anything is allocated
    /// for it.</summary>
    public static void CheckSize(string? source, long width, long height, ImageReadOptions options)
    {
        if (width < 1 || height < 1) throw Malformed(source, $"the header gives a size of {width} × {height}.");
        if (width * height > options.MaxPixels)
            throw Limit(source,
                $"the image is {width} × {height} = {width * height} pixels, above the limit of {options.MaxPixels} ",
                $"(ImageReadOptions.MaxPixels).");
    }
}
