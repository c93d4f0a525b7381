using System.Globalization;

namespace FiberProduct.IO;

/// <summary>
/// The one exception .npy and .npz reading throws for any content of the bytes read: an
/// <see cref="InvalidDataException"/> (the type the library's other readers throw, and which this reader threw
/// before; it is sealed, so no subtype can carry fields) whose message names the file or "stream", the .npz member
/// when there is one, and the reason.
/// </summary>
internal static class NpyError
{
    /// <summary>Marks the exceptions made here, so that a handler wrapping System.IO.Compression's own
    /// <see cref="InvalidDataException"/>s lets them pass unchanged.</summary>
    private const string Marker = "FiberProduct.IO.NpyError";

    public static InvalidDataException Create(string fileName, string? member, string reason, Exception? inner = null)
    {
        string message = member is null
            ? string.Create(CultureInfo.InvariantCulture, $"'{fileName}': {reason}")
            : string.Create(CultureInfo.InvariantCulture, $"'{fileName}', member '{member}': {reason}");
        var e = new InvalidDataException(message, inner);
        e.Data[Marker] = true;
        return e;
    }

    public static bool IsOurs(Exception e) => e.Data.Contains(Marker);
}
