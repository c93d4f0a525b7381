using FiberProduct.Embedding;
using Parquet;
using Parquet.Schema;

namespace FiberProduct.Formats;

/// <summary>
/// Writes embedding sets as list-of-floats columns, laid out as pyarrow writes Hugging Face datasets: the standard
/// 3-level LIST (<c>group &lt;name&gt; (LIST) { repeated group list { float element; } }</c>), float32 or float64 as
/// the set holds, Snappy-compressed, in row groups of about 64 MiB.
/// </summary>
internal static class ParquetColumnWriter
{
    /// <summary>Values per row group: 2^24 (64 MiB of float32), whole rows, so one group is cheap to hold when
    /// reading back and a file of millions of rows still has few groups.</summary>
    internal const int ValuesPerRowGroup = 1 << 24;

    public static async Task WriteAsync(Stream stream, IReadOnlyList<(string Name, EmbeddingSet Set)> columns,
        int rowsPerGroup, CancellationToken cancellationToken)
    {
        var leaves = columns.Select(
            c => new DataField("element", c.Set.Precision == EmbeddingPrecision.Float32 ? typeof(float)
                : typeof(double), isNullable: false)).ToArray();
        var schema = new ParquetSchema(columns.Select((c, i) => (Field)new ListField(c.Name, leaves[i])));
        int count = columns[0].Set.Count;
        await using var writer = await ParquetWriter.CreateAsync(schema, stream, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        for (int start = 0; start < count; start += rowsPerGroup)
        {
            int rows = Math.Min(rowsPerGroup, count - start);
            using var group = writer.CreateRowGroup();
            for (int c = 0; c < columns.Count; c++)
            {
                var set = columns[c].Set;
                int d = set.Dimension;
                // Repetition level 0 starts a row, 1 continues it; every value is present, so every definition
                // level is the leaf's maximum.
                var repetitions = new int[rows * d];
                for (int i = 1; i < repetitions.Length; i++) repetitions[i] = i % d == 0 ? 0 : 1;
                var definitions = new int[rows * d];
                Array.Fill(definitions, leaves[c].MaxDefinitionLevel);
                if (set.Precision == EmbeddingPrecision.Float32)
                    await group.WriteAllPartsAsync<float>(leaves[c], set.Values.Slice(start * d, rows * d).ToArray(),
                        definitions, repetitions, cancellationToken).ConfigureAwait(false);
                else
                    await group.WriteAllPartsAsync<double>(leaves[c],
                        set.DoubleValues.Slice(start * d, rows * d).ToArray(), definitions, repetitions,
                        cancellationToken).ConfigureAwait(false);
            }
            group.CompleteValidate();
        }
    }

    public static int RowsPerGroup(IEnumerable<EmbeddingSet> sets) =>
        Math.Max(1, ValuesPerRowGroup / sets.Max(s => s.Dimension));
}
