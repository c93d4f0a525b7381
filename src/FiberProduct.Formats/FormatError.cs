using System.Globalization;

namespace FiberProduct.Formats;

/// <summary>
/// The one exception the Parquet and HDF5 readers throw for any content of the file read: an
/// <see cref="InvalidDataException"/>, as the .npy and .npz readers throw, whose message names the file, the column
/// or dataset, and the reason (with the row and value where there is one). Exceptions the reference libraries throw
/// on malformed bytes are wrapped in it, so a caller catches one type.
/// </summary>
internal static class FormatError
{
    /// <summary>Marks the exceptions made here, so that the handler that wraps the libraries' own exceptions lets
    /// them pass unchanged.</summary>
    private const string Marker = "FiberProduct.Formats.FormatError";

    public static InvalidDataException Create(string file, string what, string name, string reason,
        Exception? inner = null)
    {
        var e = new InvalidDataException(
            string.Create(CultureInfo.InvariantCulture, $"'{file}', {what} '{name}': {reason}"), inner);
        e.Data[Marker] = true;
        return e;
    }

    public static bool IsOurs(Exception e) => e.Data.Contains(Marker);

    /// <summary>Whether an exception from inside a reference library stands for malformed content (and is wrapped),
    /// rather than cancellation or exhaustion of the process (which pass unchanged).</summary>
    public static bool IsContentError(Exception e) =>
        !IsOurs(e) && e is not (OperationCanceledException or OutOfMemoryException or StackOverflowException);

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
