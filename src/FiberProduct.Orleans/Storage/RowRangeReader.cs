using System.Globalization;
using FiberProduct.Embedding;
using FiberProduct.OutOfCore;

namespace FiberProduct.Orleans;

/// <summary>
/// Reads a range of rows of a 2-D .npy file through the core's memory-mapped reader (<see cref="MappedEmbeddingSet"/>):
/// the header by the core's rules and messages, then only the range's pages. Errors that come from the file's content
/// or from a range the file does not hold are <see cref="InvalidDataException"/>s naming the file, as a silo reports
/// them to the client.
/// </summary>
internal static class RowRangeReader
{
    public static int Rows(string path)
    {
        using var file = MappedEmbeddingSet.Open(path);
        return file.Count;
    }

    public static EmbeddingSet Read(EmbeddingRange range)
    {
        using var file = MappedEmbeddingSet.Open(range.Path);
        if (range.End > file.Count)
            throw Fail(range.Path, string.Create(CultureInfo.InvariantCulture,
                $"rows {range.Start} … {range.End} were asked for, but the file holds {file.Count}."));
        try
        {
            return file.Load(range.Start, range.Count);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // A NaN or infinity, or a byte order the reader does not map: the file's content, not the caller's
            // argument.
            throw Fail(range.Path, string.Create(CultureInfo.InvariantCulture,
                $"in rows {range.Start} … {range.End}: {e.Message}"));
        }
    }

    private static InvalidDataException Fail(string path, string reason) =>
        new(string.Create(CultureInfo.InvariantCulture, $"'{path}': {reason}"));
}
