using System.Globalization;
using FiberProduct.Embedding;

namespace FiberProduct.OutOfCore;

/// <summary>
/// How a join is cut into blocks: rows per image block and per text block, and the most pairs one block pair may
/// hold, so that a block pair's managed memory stays within the limit. The cost model counts, per row of a block,
/// its values (4 or 8 bytes each), the float32 copy the filter reads and the texts' packed panels (4 bytes per value
/// each, charged to both sides), and 64 bytes of norms, radii and thresholds; per pair, 64 bytes: the workers'
/// buffers (16 bytes a pair, grown by doubling), the CSR arrays (12) and the copies the shard writer makes (12).
/// </summary>
internal sealed record BlockPlan(int ImageBlockRows, int TextBlockRows, long MaxPairsPerBlock)
{
    public const long PairBytes = 64;

    /// <summary>The managed bytes one row of a block costs while it is joined.</summary>
    public static long RowBytes(int dimension, EmbeddingPrecision precision) =>
        dimension * ((precision == EmbeddingPrecision.Float64 ? 8L : 4L) + 8) + 64;

    /// <summary>The plan for the given block sizes (null: a quarter of the limit each).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The blocks do not fit in the limit with room for
    /// pairs.</exception>
    public static BlockPlan Choose(int images, int texts, int dimension, EmbeddingPrecision precision, long limit,
        int? imageRows, int? textRows)
    {
        long row = RowBytes(dimension, precision);
        // An EmbeddingSet holds at most Array.MaxLength values (less its alignment): a structural bound on a block.
        long most = (Array.MaxLength - 64) / dimension;
        long quarter = limit / 4 / row;
        if ((imageRows is null || textRows is null) && quarter < 1)
            throw new ArgumentOutOfRangeException(nameof(limit), limit, string.Create(CultureInfo.InvariantCulture,
                $"A memory limit of {limit} bytes does not hold one row ({row} bytes in memory for d = {dimension}, "
                + $"{precision}) in a quarter of it; raise OutOfCoreOptions.MemoryLimitBytes."));
        foreach (int? given in new[] { imageRows, textRows })
            if (given > most)
                throw new ArgumentOutOfRangeException(given == imageRows ? nameof(imageRows) : nameof(textRows), given,
                    string.Create(CultureInfo.InvariantCulture,
                        $"A block of {given} rows of {dimension} values is more than an EmbeddingSet holds "
                        + $"({most} rows)."));
        int image = imageRows ?? (int)Math.Min(Math.Min(quarter, most), Math.Max(1, images));
        int text = textRows ?? (int)Math.Min(Math.Min(quarter, most), Math.Max(1, texts));
        // A block holds at most the rows there are, whatever its size.
        long inputs = ((long)Math.Min(image, Math.Max(1, images)) + Math.Min(text, Math.Max(1, texts))) * row;
        long pairs = (limit - inputs) / PairBytes;
        if (pairs < 1)
            throw new ArgumentOutOfRangeException(nameof(limit), limit, string.Create(CultureInfo.InvariantCulture,
                $"Blocks of {image} image rows and {text} text rows take {inputs} bytes in memory (d = {dimension}, "
                + $"{precision}), which leaves no room for pairs in the memory limit of {limit} bytes; use smaller "
                + $"blocks or a larger OutOfCoreOptions.MemoryLimitBytes."));
        return new BlockPlan(image, text, Math.Min(pairs, Array.MaxLength));
    }

    /// <summary>The number of blocks that cover <paramref name="rows"/> rows (the last may be shorter).</summary>
    public static int Blocks(int rows, int blockRows) => (int)(((long)rows + blockRows - 1) / blockRows);
}
