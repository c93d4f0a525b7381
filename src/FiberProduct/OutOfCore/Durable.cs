namespace FiberProduct.OutOfCore;

/// <summary>
/// Files replaced whole or not at all: written under a temporary name, flushed to the disk, then renamed over the
/// target (an atomic step on one file system), so a crash at any moment leaves either the old file or the new one,
/// never a part of one. Each write has a temporary name of its own, so writers racing on one target (a piece of a
/// distributed join redone while its first attempt still runs) never share one: the last rename wins, and a reader
/// sees one writer's whole file.
/// </summary>
internal static class Durable
{
    /// <summary>The suffix of the temporary files; a folder's leftovers from a crash are removed on resume.</summary>
    public const string TemporarySuffix = ".partial";

    public static void Replace(string path, Action<Stream> write)
    {
        string temporary = $"{path}.{Guid.NewGuid():N}{TemporarySuffix}";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            write(stream);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
