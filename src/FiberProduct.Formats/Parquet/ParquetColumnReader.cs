using System.Globalization;
using System.Numerics;
using FiberProduct.Embedding;
using Parquet;
using Parquet.Schema;

namespace FiberProduct.Formats;

/// <summary>
/// Reads one list-of-floats column of a Parquet file into an <see cref="EmbeddingSet"/>: the standard 3-level LIST
/// (pyarrow's <c>list&lt;element: float&gt;</c>, fixed-size lists included, which Parquet stores the same way) and
/// the legacy 2-level <c>repeated float</c>, float32 or float64. Rows are rebuilt from the definition and repetition
/// levels, so a null row, a null value, an empty or ragged row is found where it is and reported by its row number.
/// </summary>
internal static class ParquetColumnReader
{
    public static async Task<ParquetReader> OpenAsync(Stream stream, string file, string column,
        CancellationToken cancellationToken)
    {
        try
        {
            ParquetPageScan.CheckFooter(stream, reason => FormatError.Create(file, "column", column, reason));
            stream.Position = 0;
            return await ParquetReader.CreateAsync(stream, leaveStreamOpen: true, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (FormatError.IsContentError(e))
        {
            throw Unreadable(file, column, e);
        }
    }

    public static InvalidDataException Unreadable(string file, string column, Exception e) =>
        FormatError.Create(file, "column", column, $"not a readable Parquet file ({e.GetType().Name}: {e.Message})", e);

    public static async Task<EmbeddingSet> ReadAsync(ParquetReader reader, Stream stream, string file, string column,
        FormatReadLimits limits, CancellationToken cancellationToken)
    {
        try
        {
            var leaf = FindLeaf(reader, file, column);
            return leaf.ClrType == typeof(float)
                ? await ReadAsync<float>(reader, leaf, stream, file, column, limits, cancellationToken)
                    .ConfigureAwait(false)
                : await ReadAsync<double>(reader, leaf, stream, file, column, limits, cancellationToken)
                    .ConfigureAwait(false);
        }
        catch (Exception e) when (FormatError.IsContentError(e))
        {
            throw Unreadable(file, column, e);
        }
    }

    /// <summary>The float leaf of the named top-level column, or the reason it is not an embedding column.</summary>
    private static DataField FindLeaf(ParquetReader reader, string file, string column)
    {
        Exception Fail(string reason) => FormatError.Create(file, "column", column, reason);
        var field = reader.Schema.Fields.FirstOrDefault(f => string.Equals(f.Name, column, StringComparison.Ordinal))
            ?? throw Fail("no such column; the file has "
                + string.Join(", ", reader.Schema.Fields.Select(f => $"'{f.Name}'")) + ".");
        var leaf = field switch
        {
            ListField { Item: DataField item } => item,
            DataField { MaxRepetitionLevel: 1 } repeated => repeated, // legacy 2-level: repeated float column
            DataField scalar =>
                throw Fail(
                    $"holds one {TypeName(scalar)} value per row, not a list: an embedding column holds a list of "
                    + $"float32 or float64 values per row."),
            ListField => throw Fail("is a list of lists or structs, not a list of floats."),
            _ => throw Fail($"is a {field.SchemaType.ToString().ToLowerInvariant()}, not a list of floats."),
        };
        if (leaf.MaxRepetitionLevel != 1)
            throw Fail("is a nested list, not a list of floats.");
        if (leaf.ClrType != typeof(float) && leaf.ClrType != typeof(double))
            throw Fail(
                $"holds {TypeName(leaf)} values; embeddings are float32 or float64 (convert explicitly, e.g. "
                + $"pyarrow's cast to list<float32>).");
        return leaf;
    }

    private static async Task<EmbeddingSet> ReadAsync<T>(ParquetReader reader, DataField leaf, Stream stream,
        string file, string column, FormatReadLimits limits, CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Exception Fail(string reason) => FormatError.Create(file, "column", column, reason);
        int size = typeof(T) == typeof(float) ? 4 : 8;
        string typeName = size == 4 ? "float32" : "float64";

        // Every size the file declares is checked before the library reads (and allocates for) a value: a column
        // chunk's value count sizes the library's buffers, so the counts are bounded by MaxArrayBytes up front.
        long rows = 0, declaredValues = 0, largestGroup = 0, fileBytes = stream.Length;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            var group = reader.OpenRowGroupReader(g);
            var chunk = group.GetMetadata(leaf) ?? throw Fail(Invariant($"row group {g} has no data for the column."));
            var meta = chunk.MetaData ?? throw Fail(Invariant($"row group {g} has no column metadata."));
            if (group.RowCount < 0 || meta.NumValues < group.RowCount)
                throw Fail(
                    Invariant($"row group {g} declares {group.RowCount} rows but {meta.NumValues} list entries."));
            if (meta.TotalCompressedSize < 0 || meta.TotalCompressedSize > fileBytes)
                throw Fail(
                    Invariant($"row group {g} declares {meta.TotalCompressedSize} bytes of column data, but the file ")
                    + Invariant($"has {fileBytes} (truncated?)."));
            if (meta.TotalUncompressedSize > FormatReadLimits.CompressionRatioExemptBytes
                && meta.TotalUncompressedSize > limits.MaxCompressionRatio * Math.Max(meta.TotalCompressedSize, 1))
                throw Fail(
                    Invariant($"row group {g} declares {meta.TotalUncompressedSize} uncompressed bytes from ")
                    + Invariant($"{meta.TotalCompressedSize}, a ratio above FormatReadLimits.MaxCompressionRatio ")
                    + Invariant($"({limits.MaxCompressionRatio})."));
            long dictionary = meta.DictionaryPageOffset ?? 0;
            long first = dictionary > 0 && dictionary < meta.DataPageOffset ? dictionary : meta.DataPageOffset;
            ParquetPageScan.Check(stream, first, meta.TotalCompressedSize, meta.NumValues, limits,
                reason => Fail(Invariant($"row group {g}: ") + reason));
            rows += group.RowCount;
            declaredValues += meta.NumValues;
            largestGroup = Math.Max(largestGroup, meta.NumValues);
            if (declaredValues > limits.MaxArrayBytes / size)
                throw Fail(
                    Invariant($"the column declares {declaredValues} or more {typeName} values, more than ")
                    + Invariant($"FormatReadLimits.MaxArrayBytes ({limits.MaxArrayBytes}) holds."));
        }
        // One row group is read at a time into buffers for its values and its two levels (4 bytes each).
        if (largestGroup > limits.MaxArrayBytes / (size + 8) || largestGroup > Array.MaxLength)
            throw Fail(
                Invariant($"a row group declares {largestGroup} list entries, whose values and levels take more than ")
                + Invariant($"FormatReadLimits.MaxArrayBytes ({limits.MaxArrayBytes})."));
        if (rows == 0)
            throw Fail("has no rows, so its dimension is unknown.");
        if (rows > int.MaxValue)
            throw Fail(Invariant($"has {rows} rows, more than an embedding set holds."));
        var valueBuffer = new T[largestGroup];
        var definitionBuffer = new int[largestGroup];
        var repetitionBuffer = new int[largestGroup];

        // Definition levels below the maximum mark a null value, an empty list or a null list, in that order.
        int maxDefinition = leaf.MaxDefinitionLevel;
        bool valuesNullable = leaf.IsNullable;
        int emptyDefinition = maxDefinition - (valuesNullable ? 1 : 0) - 1;
        T[]? result = null;
        int dimension = 0;
        long row = -1;
        int position = 0;

        void EndRow()
        {
            if (row >= 0 && position != dimension)
                throw Fail(
                    Invariant($"row {row} has {position} values; row 0 has {dimension}. Every row of an embedding ")
                    + $"column must have the same length.");
        }

        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var group = reader.OpenRowGroupReader(g);
            long firstRow = row + 1;
            int entries = (int)group.GetMetadata(leaf)!.MetaData!.NumValues;
            await group.ReadRawAsync<T>(leaf, valueBuffer.AsMemory(0, entries), definitionBuffer.AsMemory(0, entries),
                repetitionBuffer.AsMemory(0, entries), cancellationToken).ConfigureAwait(false);
            // Values come packed (nulls have only a definition level); a valid column has no nulls, so a
            // value for every entry, and the first null found ends the read.
            var values = valueBuffer;
            var definitions = definitionBuffer;
            var repetitions = repetitionBuffer;
            if (result is null)
            {
                if (entries == 0 || repetitions[0] != 0)
                    throw Fail(Invariant($"row group {g} does not begin with a row."));
                dimension = 1;
                while (dimension < entries && repetitions[dimension] != 0) dimension++;
                if ((long)rows * dimension > limits.MaxArrayBytes / size)
                    throw Fail(
                        Invariant($"{rows} rows of {dimension} {typeName} values take {rows * dimension * size} ")
                        + Invariant($"bytes, more than FormatReadLimits.MaxArrayBytes ({limits.MaxArrayBytes})."));
                if (rows * dimension > Array.MaxLength - 64)
                    throw Fail(Invariant($"{rows} rows of {dimension} values are more than an embedding set holds."));
                result = new T[rows * dimension];
            }
            int next = 0;
            for (int j = 0; j < entries; j++)
            {
                if (repetitions[j] == 0)
                {
                    EndRow();
                    row++;
                    position = 0;
                    if (row >= rows)
                        throw Fail(Invariant($"holds more rows than the {rows} its row groups declare."));
                }
                else if (row < firstRow)
                    throw Fail(Invariant($"row group {g} does not begin with a row."));
                int definition = definitions[j];
                if (definition == maxDefinition)
                {
                    if (next >= entries)
                        throw Fail(Invariant($"row group {g} has fewer values than its levels declare."));
                    T value = values[next++];
                    if (!T.IsFinite(value))
                        throw Fail(
                            Invariant($"row {row}, position {position} is ")
                            + Invariant($"{FormatError.Number(double.CreateTruncating(value))}; every value of an ")
                            + $"embedding must be finite.");
                    if (position < dimension) result[row * dimension + position] = value;
                }
                else if (valuesNullable && definition == maxDefinition - 1)
                    throw Fail(
                        Invariant($"row {row}, position {position} is null; every value of an ")
                        + $"embedding must be present.");
                else if (definition == emptyDefinition)
                    throw Fail(
                        Invariant($"row {row} is an empty list; every row of an embedding column must have values."));
                else
                    throw Fail(Invariant($"row {row} is null; every row of an embedding column must be present."));
                if (definition == maxDefinition) position++;
            }
            if (row + 1 - firstRow != group.RowCount)
                throw Fail(Invariant($"row group {g} declares {group.RowCount} rows but holds {row + 1 - firstRow}."));
        }
        EndRow();
        if (row + 1 != rows)
            throw Fail(Invariant($"declares {rows} rows but holds {row + 1}."));

        int count = (int)rows;
        return result switch
        {
            float[] single => new EmbeddingSet(single, count, dimension),
            double[] wide => new EmbeddingSet(wide, count, dimension),
            _ => throw new InvalidOperationException("Unreachable: the element type is float or double."),
        };
    }

    /// <summary>The column type in the words pyarrow and NumPy use.</summary>
    private static string TypeName(DataField field) => Type.GetTypeCode(field.ClrType) switch
    {
        TypeCode.Single => "float32",
        TypeCode.Double => "float64",
        TypeCode.SByte or TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64 or TypeCode.Byte or TypeCode.UInt16
            or TypeCode.UInt32 or TypeCode.UInt64 => "integer (" + field.ClrType.Name.ToLowerInvariant() + ")",
        TypeCode.Boolean => "boolean",
        TypeCode.String => "string",
        TypeCode.Decimal => "decimal",
        _ when field.ClrType == typeof(Half) => "float16",
        _ when field.ClrType == typeof(byte[]) || field.ClrType.IsGenericType
            && field.ClrType.GetGenericTypeDefinition() == typeof(ReadOnlyMemory<>)
            => "string or binary",
        _ => field.ClrType.Name,
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
