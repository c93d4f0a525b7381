using System.Globalization;
using FiberProduct.Embedding;

namespace FiberProduct.Orleans;

/// <summary>
/// Rows [<see cref="Start"/>, <see cref="Start"/> + <see cref="Count"/>) of a 2-D float32 or float64 .npy file
/// (N, d) on storage every silo can read (a shared disk, a network file system, or the same path on each machine):
/// how a silo finds its shard of the texts and its block of the images. Only the path and the range travel between
/// machines, never the rows.
/// </summary>
/// <remarks>Immutable and compared by value; checking the file is left to <see cref="WholeFile"/> and
/// <see cref="Load"/>, since the file may live only on the silos' storage.</remarks>
[GenerateSerializer, Immutable, Alias("FiberProduct.Orleans.EmbeddingRange")]
public sealed record EmbeddingRange
{
    /// <summary>Names rows [start, start + count) of the .npy file at <paramref name="path"/>.</summary>
    /// <param name="path">The .npy file, as every silo sees it (an absolute path, so that every process reads the same
    /// file whatever its working directory).</param>
    /// <param name="start">The first row, 0 or more.</param>
    /// <param name="count">The number of rows, 0 or more.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="start"/> or <paramref name="count"/> is negative,
    /// or their sum passes <see cref="int.MaxValue"/>.</exception>
    public EmbeddingRange(string path, int start, int count)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if ((long)start + count > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(count), count, string.Create(CultureInfo.InvariantCulture,
                $"Rows {start} + {count} pass the largest row index ({int.MaxValue})."));
        Path = path;
        Start = start;
        Count = count;
    }

    /// <summary>The .npy file.</summary>
    [Id(0)] public string Path { get; }

    /// <summary>The first row of the range.</summary>
    [Id(1)] public int Start { get; }

    /// <summary>The number of rows in the range.</summary>
    [Id(2)] public int Count { get; }

    /// <summary>One past the last row of the range.</summary>
    public int End => Start + Count;

    /// <summary>Every row of a .npy file: reads its header only (the shape), not the data.</summary>
    /// <param name="path">The .npy file, readable from this process.</param>
    /// <returns>Rows [0, N) of the file.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or white space.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a 2-D float32 or float64 .npy array in C order; the
    /// message names the file.</exception>
    public static EmbeddingRange WholeFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new EmbeddingRange(path, 0, RowRangeReader.Rows(path));
    }

    /// <summary>The sub-range [Start + offset, Start + offset + count) of this range.</summary>
    /// <param name="offset">The first row, relative to <see cref="Start"/>.</param>
    /// <param name="count">The number of rows.</param>
    /// <returns>The rows of this range from <paramref name="offset"/> on, <paramref name="count"/> of them.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The sub-range does not lie within this range.</exception>
    public EmbeddingRange Slice(int offset, int count)
    {
        if (offset < 0 || count < 0 || (long)offset + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, string.Create(CultureInfo.InvariantCulture,
                $"Rows {offset} … {(long)offset + count} do not lie within the {Count} rows of the range."));
        return new EmbeddingRange(Path, Start + offset, count);
    }

    /// <summary>Reads the rows of the range, in the file's precision (float64 stays float64).</summary>
    /// <returns><see cref="Count"/> rows of the file's dimension.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a 2-D float32 or float64 .npy array in C order, or the
    /// range passes its last row, or a value is NaN or infinite; the message names the file.</exception>
    public EmbeddingSet Load() => RowRangeReader.Read(this);

    /// <summary>The range as path[start … end).</summary>
    /// <returns>For instance "/data/texts.npy[0 … 5000)".</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Path}[{Start} … {End})");
}
