using System.Globalization;
using FiberProduct.Fiber;
using Parquet;
using Parquet.Schema;

namespace FiberProduct.Formats;

/// <summary>
/// Writes a <see cref="PairSet"/> as a Parquet table with one row per pair: <c>image</c> (int32), <c>text</c> (int32)
/// and <c>distance</c> (float64), in (image, text) order — the long format pandas, pyarrow and DuckDB read directly.
/// The set's shape is kept in the file's key-value metadata: <c>fiberproduct.images</c>, <c>fiberproduct.texts</c>,
/// <c>fiberproduct.truncated</c>.
/// </summary>
/// <example>
/// <code>
/// ParquetPairs.Save("pairs.parquet", fiber.Pairs(1.2));   // pandas.read_parquet("pairs.parquet")
/// </code>
/// </example>
public static class ParquetPairs
{
    /// <summary>Pairs per row group: 2^22 (64 MiB of columns), so writing holds one group's arrays at a time.</summary>
    internal const int PairsPerRowGroup = 1 << 22;

    /// <summary>Writes the pairs as a Parquet table (blocking; see <see cref="SaveAsync"/>).</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="pairs">The pair set.</param>
    public static void Save(string path, PairSet pairs) =>
        Task.Run(() => SaveAsync(path, pairs)).GetAwaiter().GetResult();

    /// <summary>Writes the pairs as a Parquet table: columns image, text, distance; one row per pair.</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="pairs">The pair set.</param>
    /// <param name="cancellationToken">Cancels the write between row groups.</param>
    /// <returns>A task that completes when the file is written.</returns>
    public static async Task SaveAsync(string path, PairSet pairs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(pairs);
        var stream = File.Create(path);
        await using (stream.ConfigureAwait(false))
            await WriteAsync(stream, pairs, PairsPerRowGroup, cancellationToken).ConfigureAwait(false);
    }

    internal static async Task WriteAsync(Stream stream, PairSet pairs, int pairsPerGroup,
        CancellationToken cancellationToken)
    {
        var image = new DataField<int>("image");
        var text = new DataField<int>("text");
        var distance = new DataField<double>("distance");
        var writer = await ParquetWriter.CreateAsync(new ParquetSchema(image, text, distance), stream,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            writer.CustomMetadata = new Dictionary<string, string>
            {
                ["fiberproduct.images"] = pairs.RowCount.ToString(CultureInfo.InvariantCulture),
                ["fiberproduct.texts"] = pairs.ColumnCount.ToString(CultureInfo.InvariantCulture),
                ["fiberproduct.truncated"] = pairs.IsTruncated ? "true" : "false",
            };
            int row = 0;
            for (long start = 0; start < pairs.PairCount || start == 0; start += pairsPerGroup)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = (int)Math.Min(pairsPerGroup, pairs.PairCount - start);
                var rows = new int[n];
                // The CSR row offsets expand to one image index per pair.
                for (int k = 0; k < n; k++)
                {
                    while (pairs.RowOffsets[row + 1] <= start + k) row++;
                    rows[k] = row;
                }
                using var group = writer.CreateRowGroup();
                await group.WriteAsync<int>(image, rows, cancellationToken: cancellationToken).ConfigureAwait(false);
                await group.WriteAsync<int>(text, pairs.Columns.Slice((int)start, n).ToArray(),
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                await group.WriteAsync<double>(distance, pairs.Distances.Slice((int)start, n).ToArray(),
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                group.CompleteValidate();
                if (pairs.PairCount == 0) break;
            }
        }
    }
}
