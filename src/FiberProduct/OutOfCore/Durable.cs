namespace FiberProduct.OutOfCore;

/// <summary>
/// Files replaced whole or not at all: written under a temporary name, flushed to the disk, then renamed over the
/// target (an atomic step on one file system), so a crash at any moment leaves either the old file or the new one,
/// never a part of one.
/// </summary>
internal static class Durable
{
    /// <summary>The suffix of the temporary files; a folder's leftovers from a crash are removed on resume.</summary>
    public const string TemporarySuffix = ".partial";

    public static void Replace(string path, Action<Stream> write)
    {
        string temporary = path + TemporarySuffix;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            write(stream);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
