namespace FiberProduct.Fiber.Kernels;

/// <summary>A growable (row, column, distance) list.</summary>
internal sealed class PairBuffer
{
    private int[] rows = new int[64], columns = new int[64];
    private double[] distances = new double[64];

    public int Count { get; private set; }

    [System.Runtime.CompilerServices.MethodImpl(
        System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Add(int row, int column, double distance)
    {
        if (Count == rows.Length)
        {
            // Large buffers grow fourfold: their unused capacity is never touched (uninitialised), so it costs no
            // memory, while every growth copies (and first-touches) the entries again.
            int size = (int)Math.Min(Array.MaxLength, (rows.Length < 1 << 16 ? 2L : 4L) * rows.Length);
            if (size == Count) throw new InvalidOperationException("More pairs than an array can hold.");
            rows = Grown(rows, size, Count);
            columns = Grown(columns, size, Count);
            distances = Grown(distances, size, Count);
        }
        rows[Count] = row; columns[Count] = column; distances[Count] = distance;
        Count++;
    }

    /// <summary>
    /// Sorts the entries from <paramref name="start"/> on by (row, column) and, when <paramref name="keepPerRow"/> &gt;
    /// 0, keeps only the nearest of each row (by distance, then column); returns how many entries the tail now holds.
    /// </summary>
    /// <remarks>Ties in distance go to the lower column, or to the lower <paramref name="columnKey"/>[column] when the
    /// columns are a permutation of the caller's (the pruned join), so the kept pairs do not depend on the
    /// order.</remarks>
    public int RegroupTail(int start, int keepPerRow, int[]? columnKey = null)
    {
        int length = Count - start;
        if (length == 0) return 0;
        // A stable counting sort by row: within a row the generation order is already increasing in column.
        // Scratch arrays are kept between chunks: large temporary arrays would churn the large-object heap.
        int firstRow = int.MaxValue, lastRow = int.MinValue;
        for (int p = start; p < Count; p++)
        {
            firstRow = Math.Min(firstRow, rows[p]);
            lastRow = Math.Max(lastRow, rows[p]);
        }
        int rowCount = lastRow - firstRow + 1;
        var offsets = Scratch(ref scratchOffsets, rowCount + 1);
        var next = Scratch(ref scratchNext, rowCount + 1);
        var sortedColumns = Scratch(ref scratchColumns, length);
        var sortedDistances = Scratch(ref scratchDistances, length);
        offsets.AsSpan(0, rowCount + 1).Clear();
        for (int p = start; p < Count; p++) offsets[rows[p] - firstRow + 1]++;
        for (int r = 1; r <= rowCount; r++) offsets[r] += offsets[r - 1];
        offsets.AsSpan(0, rowCount + 1).CopyTo(next);
        for (int p = start; p < Count; p++)
        {
            int at = next[rows[p] - firstRow]++;
            sortedColumns[at] = columns[p]; sortedDistances[at] = distances[p];
        }
        int written = start;
        for (int r = 0; r < rowCount; r++)
        {
            int from = offsets[r], to = offsets[r + 1];
            if (keepPerRow > 0 && to - from > keepPerRow)
            {
                // Keep the nearest (by distance, then column), then restore column order.
                var order = Enumerable.Range(from, to - from)
                    .OrderBy(p => sortedDistances[p]).ThenBy(p => columnKey is null ? sortedColumns[p]
                        : columnKey[sortedColumns[p]]).Take(keepPerRow).Order().ToArray();
                foreach (int p in order)
                {
                    rows[written] = firstRow + r;
                    columns[written] = sortedColumns[p];
                    distances[written] = sortedDistances[p];
                    written++;
                }
                continue;
            }
            for (int p = from; p < to; p++)
            {
                rows[written] = firstRow + r;
                columns[written] = sortedColumns[p];
                distances[written] = sortedDistances[p];
                written++;
            }
        }
        Count = written;
        return written - start;
    }

    private int[]? scratchOffsets, scratchNext, scratchColumns;
    private double[]? scratchDistances;

    /// <summary>A larger copy of the first <paramref name="count"/> entries (large ones on fresh memory that faults in
    /// cheaply).</summary>
    private static T[] Grown<T>(T[] array, int size, int count) where T : unmanaged
    {
        var grown = LargeArrays.AllocateUninitialized<T>(size); // only the first Count entries are ever read
        array.AsSpan(0, count).CopyTo(grown);
        return grown;
    }

    private static T[] Scratch<T>(ref T[]? array, int length)
    {
        if (array is null || array.Length < length) array = new T[Math.Max(length, (array?.Length ?? 0) * 2)];
        return array;
    }

    public ReadOnlySpan<int> Rows => rows.AsSpan(0, Count);
    public ReadOnlySpan<int> Columns => columns.AsSpan(0, Count);
    public ReadOnlySpan<double> Distances => distances.AsSpan(0, Count);
}
