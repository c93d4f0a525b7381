using FiberProduct.Embedding;

namespace FiberProduct.Formats;

/// <summary>
/// Embedding sets in Parquet files, as Hugging Face datasets and pandas keep them: one row per point, the embedding a
/// column holding a list of float32 or float64 values per row (<c>list&lt;element: float&gt;</c> or a fixed-size
/// list), other columns (ids, captions) left alone. Read through Parquet.Net.
/// </summary>
/// <remarks>
/// The set keeps the column's precision: float32 stays float32, float64 stays float64. Every problem with the file's
/// content is an <see cref="InvalidDataException"/> whose message names the file and the column, and the row and value
/// where there is one: a missing column, a column of integers, strings or single floats, a null or empty row, a null
/// value, rows of unequal length, NaN or ±∞, and bytes Parquet.Net cannot decode (wrapped, as the inner exception).
/// What reading may cost is bounded by <see cref="FormatReadLimits"/>, checked against the file's metadata before the
/// values are read. docs/hostile-input.md gives the details.
/// </remarks>
/// <example>
/// <code>
/// var (images, texts) = ParquetEmbeddings.LoadPaired("pairs.parquet", "image_embedding", "text_embedding");
/// ParquetEmbeddings.Save("unit.parquet", "embedding", images.Normalize());
/// </code>
/// </example>
public static class ParquetEmbeddings
{
    /// <summary>Reads one embedding column of a Parquet file (blocking; see <see cref="LoadAsync"/>).</summary>
    /// <param name="path">The Parquet file.</param>
    /// <param name="column">The name of a top-level list-of-floats column.</param>
    /// <param name="limits">What reading may cost; <see cref="FormatReadLimits.Default"/> when null.</param>
    /// <returns>One row per point, in the column's precision.</returns>
    /// <exception cref="InvalidDataException">The file is not readable Parquet, the column is missing or is not an
    /// embedding column, a row or value is unfit, or a limit is exceeded; the message names file, column and
    /// row.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static EmbeddingSet Load(string path, string column, FormatReadLimits? limits = null) =>
        Task.Run(() => LoadAsync(path, column, limits)).GetAwaiter().GetResult();

    /// <summary>Reads one embedding column of a Parquet file.</summary>
    /// <param name="path">The Parquet file.</param>
    /// <param name="column">The name of a top-level list-of-floats column.</param>
    /// <param name="limits">What reading may cost; <see cref="FormatReadLimits.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the read between row groups.</param>
    /// <returns>One row per point, in the column's precision.</returns>
    /// <exception cref="InvalidDataException">The file is not readable Parquet, the column is missing or is not an
    /// embedding column, a row or value is unfit, or a limit is exceeded; the message names file, column and
    /// row.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static async Task<EmbeddingSet> LoadAsync(string path, string column, FormatReadLimits? limits = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(column);
        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
            return await ReadAsync(stream, path, column, limits ?? FormatReadLimits.Default, cancellationToken)
                .ConfigureAwait(false);
    }

    internal static async Task<EmbeddingSet> ReadAsync(Stream stream, string file, string column,
        FormatReadLimits limits, CancellationToken cancellationToken)
    {
        var reader = await ParquetColumnReader.OpenAsync(stream, file, column, cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
            return await ParquetColumnReader.ReadAsync(reader, stream, file, column, limits, cancellationToken)
                .ConfigureAwait(false);
    }

    /// <summary>Reads two embedding columns of one Parquet file as pairs, row i of each a pair, as
    /// <see cref="EmbeddingSet.LoadPaired(string)"/> does for a (2, N, d) .npy file (blocking; see
    /// <see cref="LoadPairedAsync"/>).</summary>
    /// <param name="path">The Parquet file.</param>
    /// <param name="imageColumn">The column of the images f(𝒫).</param>
    /// <param name="textColumn">The column of the texts g(𝒬).</param>
    /// <param name="limits">What reading may cost, for each column; <see cref="FormatReadLimits.Default"/>
    /// when null.</param>
    /// <returns>The two sets, each in its column's precision.</returns>
    /// <exception cref="InvalidDataException">As for <see cref="Load"/>, for either column.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static (EmbeddingSet Images, EmbeddingSet Texts) LoadPaired(string path, string imageColumn,
        string textColumn, FormatReadLimits? limits = null) =>
        Task.Run(() => LoadPairedAsync(path, imageColumn, textColumn, limits)).GetAwaiter().GetResult();

    /// <summary>Reads two embedding columns of one Parquet file as pairs, row i of each a pair.</summary>
    /// <param name="path">The Parquet file.</param>
    /// <param name="imageColumn">The column of the images f(𝒫).</param>
    /// <param name="textColumn">The column of the texts g(𝒬).</param>
    /// <param name="limits">What reading may cost, for each column; <see cref="FormatReadLimits.Default"/>
    /// when null.</param>
    /// <param name="cancellationToken">Cancels the read between row groups.</param>
    /// <returns>The two sets, each in its column's precision.</returns>
    /// <exception cref="InvalidDataException">As for <see cref="LoadAsync"/>, for either column.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static async Task<(EmbeddingSet Images, EmbeddingSet Texts)> LoadPairedAsync(string path, string imageColumn,
        string textColumn, FormatReadLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(imageColumn);
        ArgumentNullException.ThrowIfNull(textColumn);
        limits ??= FormatReadLimits.Default;
        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            var reader = await ParquetColumnReader.OpenAsync(stream, path, imageColumn, cancellationToken)
                .ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var images = await ParquetColumnReader.ReadAsync(reader, stream, path, imageColumn,
                    limits, cancellationToken).ConfigureAwait(false);
                var texts = await ParquetColumnReader.ReadAsync(reader, stream, path, textColumn,
                    limits, cancellationToken).ConfigureAwait(false);
                return (images, texts);
            }
        }
    }

    /// <summary>Writes an embedding set as a Parquet file with one list-of-floats column (blocking; see
    /// <see cref="SaveAsync"/>).</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="column">The column name.</param>
    /// <param name="embeddings">The set, written in its own precision; at least one row (an empty column would
    /// not record the dimension).</param>
    /// <exception cref="ArgumentException">The set is empty or the name is empty.</exception>
    public static void Save(string path, string column, EmbeddingSet embeddings) =>
        Task.Run(() => SaveAsync(path, column, embeddings)).GetAwaiter().GetResult();

    /// <summary>Writes an embedding set as a Parquet file with one list-of-floats column, as pyarrow writes a
    /// <c>list&lt;element: float&gt;</c> (or <c>double</c>) column: readable by pandas, pyarrow and Hugging Face
    /// datasets.</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="column">The column name.</param>
    /// <param name="embeddings">The set, written in its own precision; at least one row.</param>
    /// <param name="cancellationToken">Cancels the write between columns.</param>
    /// <returns>A task that completes when the file is written.</returns>
    /// <exception cref="ArgumentException">The set is empty or the name is empty.</exception>
    public static Task SaveAsync(string path, string column, EmbeddingSet embeddings,
        CancellationToken cancellationToken = default) =>
        SaveColumnsAsync(path, [(column, embeddings)], cancellationToken);

    /// <summary>Writes two embedding sets of equal size as two columns of one Parquet file, row i of each a pair
    /// (blocking; see <see cref="SavePairedAsync"/>).</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="images">The images f(𝒫).</param>
    /// <param name="texts">The texts g(𝒬), as many rows as <paramref name="images"/>.</param>
    /// <param name="imageColumn">The images' column name.</param>
    /// <param name="textColumn">The texts' column name.</param>
    /// <exception cref="ArgumentException">The sets differ in size or are empty, or the names are empty or
    /// equal.</exception>
    public static void SavePaired(string path, EmbeddingSet images, EmbeddingSet texts,
        string imageColumn = "image_embedding", string textColumn = "text_embedding") =>
        Task.Run(() => SavePairedAsync(path, images, texts, imageColumn, textColumn)).GetAwaiter().GetResult();

    /// <summary>Writes two embedding sets of equal size as two columns of one Parquet file, row i of each a
    /// pair.</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="images">The images f(𝒫).</param>
    /// <param name="texts">The texts g(𝒬), as many rows as <paramref name="images"/>.</param>
    /// <param name="imageColumn">The images' column name.</param>
    /// <param name="textColumn">The texts' column name.</param>
    /// <param name="cancellationToken">Cancels the write between columns.</param>
    /// <returns>A task that completes when the file is written.</returns>
    /// <exception cref="ArgumentException">The sets differ in size or are empty, or the names are empty or
    /// equal.</exception>
    public static Task SavePairedAsync(string path, EmbeddingSet images, EmbeddingSet texts,
        string imageColumn = "image_embedding", string textColumn =
        "text_embedding", CancellationToken cancellationToken = default) =>
        SaveColumnsAsync(path, [(imageColumn, images), (textColumn, texts)], cancellationToken);

    private static async Task SaveColumnsAsync(string path, IReadOnlyList<(string Name, EmbeddingSet Set)> columns,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        CheckColumns(columns);
        var stream = File.Create(path);
        await using (stream.ConfigureAwait(false))
            await ParquetColumnWriter.WriteAsync(stream, columns,
                ParquetColumnWriter.RowsPerGroup(columns.Select(c => c.Set)), cancellationToken).ConfigureAwait(false);
    }

    internal static void CheckColumns(IReadOnlyList<(string Name, EmbeddingSet Set)> columns)
    {
        foreach (var (name, set) in columns)
        {
            ArgumentException.ThrowIfNullOrEmpty(name, "column");
            ArgumentNullException.ThrowIfNull(set, name);
            if (set.Count == 0)
                throw new ArgumentException(
                    $"The set for column '{name}' is empty; a Parquet list column records the "
                    + $"dimension only in its rows.", name);
            if (set.Count != columns[0].Set.Count)
                throw new ArgumentException(
                    $"Column '{name}' has {set.Count} rows, column '{columns[0].Name}' {columns[0].Set.Count}: paired "
                    + $"columns must have equal rows.", name);
        }
        if (columns.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count() != columns.Count)
            throw new ArgumentException("The column names must differ.", nameof(columns));
    }
}
