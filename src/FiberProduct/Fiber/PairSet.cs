using System.Collections;
using System.Globalization;
using FiberProduct.Execution;

namespace FiberProduct.Fiber;

/// <summary>
/// A set of pairs F ⊆ 𝒫 × 𝒬 in compressed sparse row form: the texts paired with image i are
/// <c>Columns[RowOffsets[i] .. RowOffsets[i + 1])</c>, in increasing order, with their float64 distances
/// at the same positions. Deterministic: the same query gives the same arrays whatever the thread count.
/// </summary>
/// <remarks>
/// Immutable; 12 bytes per pair (a column and a float64 distance) and 8·(N + 1) bytes of row offsets. The spans give
/// the arrays without copying. Enumerating it yields <see cref="FiberPair"/> values in (image, text) order.
/// </remarks>
/// <example>
/// <code>
/// PairSet pairs = product.Pairs(0.25);
/// Console.WriteLine($"{pairs.PairCount} pairs{(pairs.IsTruncated ? " (truncated at the budget)" : "")}");
/// var texts = pairs.ColumnsOfRow(3);        // the texts j with (3, j) in F_ε, increasing
/// var distances = pairs.DistancesOfRow(3);  // their distances, aligned
/// for (int p = 0; p &lt; texts.Length; p++) Console.WriteLine($"(3, {texts[p]}) at {distances[p]:F4}");
/// long[] perImage = new long[pairs.RowCount];
/// foreach (var pair in pairs) perImage[pair.Image]++;
/// </code>
/// </example>
public sealed class PairSet : IReadOnlyCollection<FiberPair>
{
    private readonly long[] rowOffsets;
    private readonly int[] columns;
    private readonly double[] distances;

    internal PairSet(int columnCount, long[] rowOffsets, int[] columns, double[] distances, bool isTruncated)
    {
        ColumnCount = columnCount;
        this.rowOffsets = rowOffsets;
        this.columns = columns;
        this.distances = distances;
        IsTruncated = isTruncated;
    }

    /// <summary>
    /// The metric the distances are in and a bound on how far a reported distance may lie from the exact one: at most
    /// Relative·r + Absolute for a reported r (zero for exact distances). Set by the query that made the set.
    /// </summary>
    internal (FiberMetric Metric, double Relative, double Absolute) DistanceError { get; set; } =
        (FiberMetric.Euclidean, 0, 0);

    /// <summary>The number of images N (rows).</summary>
    public int RowCount => rowOffsets.Length - 1;

    /// <summary>The number of texts M (columns).</summary>
    public int ColumnCount { get; }

    /// <summary>The number of pairs held.</summary>
    public long PairCount => columns.LongLength;

    /// <inheritdoc/>
    int IReadOnlyCollection<FiberPair>.Count => checked((int)PairCount);

    /// <summary>
    /// True when the query hit its result budget and returned only the first <see cref="FiberProductOptions.MaxPairs"/>
    /// pairs in (row, column) order, because <see cref="FiberProductOptions.TruncateAtBudget"/> asked for that.
    /// </summary>
    public bool IsTruncated { get; }

    /// <summary>Row offsets, N + 1 values from 0 to <see cref="PairCount"/>.</summary>
    public ReadOnlySpan<long> RowOffsets => rowOffsets;

    /// <summary>Text indices, row by row, increasing within each row.</summary>
    public ReadOnlySpan<int> Columns => columns;

    /// <summary>Distances, aligned with <see cref="Columns"/>.</summary>
    public ReadOnlySpan<double> Distances => distances;

    /// <summary>The texts paired with image i.</summary>
    /// <param name="image">The image index i, in 0 … <see cref="RowCount"/> − 1.</param>
    /// <returns>The text indices j with (i, j) in the set, increasing; a view of the set's array, not a copy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="image"/> is outside 0 … <see cref="RowCount"/>
    /// − 1.</exception>
    public ReadOnlySpan<int> ColumnsOfRow(int image) => columns.AsSpan(RowRange(image));

    /// <summary>The distances of the pairs of image i.</summary>
    /// <param name="image">The image index i, in 0 … <see cref="RowCount"/> − 1.</param>
    /// <returns>The float64 distances, aligned with <see cref="ColumnsOfRow"/>; a view, not a copy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="image"/> is outside 0 … <see cref="RowCount"/>
    /// − 1.</exception>
    public ReadOnlySpan<double> DistancesOfRow(int image) => distances.AsSpan(RowRange(image));

    /// <summary>Whether (image, text) is in the set.</summary>
    /// <remarks>A binary search in the image's row: O(log of its pair count).</remarks>
    /// <param name="image">The image index i, in 0 … <see cref="RowCount"/> − 1.</param>
    /// <param name="text">The text index j (any value: one outside the columns is simply not in the set).</param>
    /// <returns>True when (i, j) is one of the pairs held.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="image"/> is outside 0 … <see cref="RowCount"/>
    /// − 1.</exception>
    public bool Contains(int image, int text) => ColumnsOfRow(image).BinarySearch(text) >= 0;

    /// <inheritdoc/>
    public IEnumerator<FiberPair> GetEnumerator()
    {
        for (int i = 0; i < RowCount; i++)
            for (long p = rowOffsets[i]; p < rowOffsets[i + 1]; p++)
                yield return new FiberPair(i, columns[p], distances[p]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private Range RowRange(int image)
    {
        if ((uint)image >= (uint)RowCount)
            throw new ArgumentOutOfRangeException(nameof(image), image,
                string.Create(CultureInfo.InvariantCulture, $"Expected an image index in 0 … {RowCount - 1}."));
        return new Range((int)rowOffsets[image], (int)rowOffsets[image + 1]);
    }

    /// <summary>
    /// Builds the CSR arrays from per-worker buffers, or throws when they hold more than the budget.
    /// </summary>
    /// <remarks>
    /// Buffers filled by the reordered (pruned) join hold row i as row <paramref name="rowOrder"/>[i] and column j as
    /// column <paramref name="columnOrder"/>[j]: they are mapped back and each row is sorted by column.
    /// </remarks>
    internal static PairSet FromBuffers(int rowCount, int columnCount, IReadOnlyList<Kernels.PairBuffer> buffers,
        long maxPairs, ExecutionScope scope, int[]? rowOrder = null, int[]? columnOrder = null)
    {
        // Each row belongs to one worker's buffer (the join splits rows between workers), so the buffers are counted
        // and scattered in parallel without sharing a row; few pairs on the calling thread.
        long found = 0;
        foreach (var buffer in buffers) found += buffer.Count;
        var parallel = found < 1 << 16 ? scope.WithAtMost(1) : scope;
        var offsets = new long[rowCount + 1];
        parallel.For(0, buffers.Count,
            [System.Runtime.CompilerServices.MethodImpl(
                System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] (b) =>
        {
            foreach (int row in buffers[b].Rows) offsets[(rowOrder is null ? row : rowOrder[row]) + 1]++;
        });
        for (int i = 0; i < rowCount; i++) offsets[i + 1] += offsets[i];
        long total = offsets[rowCount];
        if (total > maxPairs) throw new ResultBudgetExceededException(maxPairs);
        long kept = total;
        // Every position below kept is written once (the positions are a permutation of the pairs found).
        var columns = Kernels.LargeArrays.AllocateUninitialized<int>(kept);
        var distances = Kernels.LargeArrays.AllocateUninitialized<double>(kept);
        var next = offsets[..^1];
        parallel.For(0, buffers.Count,
            [System.Runtime.CompilerServices.MethodImpl(
                System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] (b) =>
        {
            var rows = buffers[b].Rows; var cols = buffers[b].Columns; var dist = buffers[b].Distances;
            for (int p = 0; p < rows.Length; p++)
            {
                long at = next[rowOrder is null ? rows[p] : rowOrder[rows[p]]]++;
                columns[at] = columnOrder is null ? cols[p] : columnOrder[cols[p]];
                distances[at] = dist[p];
            }
        });
        if (columnOrder is not null)
        {
            // Slices of rows, so that the token is checked between them.
            int slices = Math.Max(1, Math.Min(rowCount, 64 * parallel.Workers));
            parallel.For(0, slices, s => SortRows(offsets, (int)((long)rowCount * s / slices),
                (int)((long)rowCount * (s + 1) / slices), columns, distances));
        }
        // Otherwise each row belongs to one worker, which offers its pairs in increasing column order (see RangeJoin).
        return new PairSet(columnCount, offsets, columns, distances, isTruncated: false);
    }

    /// <summary>Sorts each row's columns (distances alongside).</summary>
    private static void SortRows(long[] offsets, int firstRow, int endRow, int[] columns, double[] distances)
    {
        for (int i = firstRow; i < endRow; i++) Sort(columns, distances, (int)offsets[i], (int)offsets[i + 1]);
    }

    /// <summary>
    /// Sorts columns[from..end) (distinct values; distances alongside): quicksort on a median of three, insertion below
    /// 24 entries. Its own rather than Array.Sort, which a cold process runs in tier 0 for (int, double) pairs.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(
        System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Sort(int[] columns, double[] distances, int from, int end)
    {
        while (end - from > 24)
        {
            var (i, j) = Kernels.HoarePartition.Around(columns, distances, from, end - 1);
            // Recurse into the smaller part, loop on the larger: depth stays logarithmic.
            if (j - from < end - i) { Sort(columns, distances, from, j + 1); from = i; }
            else { Sort(columns, distances, i, end); end = j + 1; }
        }
        for (int p = from + 1; p < end; p++)
        {
            int column = columns[p]; double distance = distances[p];
            int q = p - 1;
            for (; q >= from && columns[q] > column; q--)
            {
                columns[q + 1] = columns[q];
                distances[q + 1] = distances[q];
            }
            columns[q + 1] = column; distances[q + 1] = distance;
        }
    }

    /// <summary>A one-line summary (counts, metric, truncation), not the pairs: for logs and the debugger.</summary>
    /// <returns>For instance "PairSet: 388 pairs of 500 images × 500 texts (Euclidean)".</returns>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"PairSet: {PairCount} pairs of {RowCount} images × {ColumnCount} texts "
        + $"({DistanceError.Metric}){(IsTruncated ? ", truncated at the result budget" : "")}");
}
