using System.Numerics;
using FiberProduct.Embedding;

namespace FiberProduct.Fiber.Kernels;

/// <summary>The reference decision for a pair the fast path could not settle.</summary>
internal sealed class ExactCheck(JoinOperands op)
{
    private readonly EmbeddingSet images = op.Images, texts = op.Texts;
    private readonly int[]? rowOrder = op.RowOrder, columnOrder = op.ColumnOrder;

    /// <summary>The reference distance of join row i and join column j (the vectors as given, not the working copies).</summary>
    /// <remarks>Per pair, so compiled optimised at once: a single cold query would otherwise spend its first pairs in tier 0.</remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public double Distance(int i, int j)
    {
        if (rowOrder is not null) i = rowOrder[i];
        if (columnOrder is not null) j = columnOrder[j];
        return ReferenceDistance.Distance(op.Metric, images.Row(i), texts.Row(j), images.SquaredNorm(i), texts.SquaredNorm(j));
    }

    /// <summary>The reference distances from image i to the texts column0 + lane for the lanes of a mask; returns how many.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public int Distances(int i, int column0, uint lanes, Span<int> columns, Span<double> distances)
    {
        int count = 0;
        while (lanes != 0)
        {
            int column = column0 + RangeJoin.NextLane(ref lanes);
            columns[count] = column;
            distances[count++] = Distance(i, column);
        }
        return count;
    }
}

/// <summary>|F_ε|: sure pairs are counted by popcount, the rest of the candidates by the reference.</summary>
internal sealed class CountSink(ExactCheck exact, Func<int, double> epsilonOfRow) : ITileSink
{
    public long Count;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Candidates(int row, int column0, uint candidates, uint sure, ReadOnlySpan<float> dots)
    {
        Count += BitOperations.PopCount(sure);
        uint band = candidates & ~sure;
        if (band == 0) return;
        double epsilon = epsilonOfRow(row);
        while (band != 0)
        {
            int lane = RangeJoin.NextLane(ref band);
            if (exact.Distance(row, column0 + lane) <= epsilon) Count++;
        }
    }

    public bool RowsCompleted(int rowEnd) => true;
}

/// <summary>
/// The pairs of F_ε with their float64 distances, gathered per worker. A chunk of rows arrives ordered by text
/// block, then row, then text; when the chunk completes it is regrouped by row, so the buffer ends up in (row,
/// text) order. With <paramref name="keepPerRow"/> &gt; 0 only each row's nearest pairs survive the regrouping.
/// A shared count enforces the result budget.
/// </summary>
internal sealed class PairSink(ExactCheck exact, Func<int, double> epsilonOfRow, PairBudget budget, int keepPerRow = 0, int[]? columnKey = null) : ITileSink
{
    public readonly PairBuffer Buffer = new();
    private int sinceReport, chunkStart;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Candidates(int row, int column0, uint candidates, uint sure, ReadOnlySpan<float> dots)
    {
        double epsilon = epsilonOfRow(row);
        Span<int> columns = stackalloc int[JoinOperands.PanelWidth];
        Span<double> distances = stackalloc double[JoinOperands.PanelWidth];
        int count = exact.Distances(row, column0, candidates, columns, distances);
        for (int c = 0; c < count; c++)
        {
            if (distances[c] <= epsilon)
            {
                Buffer.Add(row, columns[c], distances[c]);
                if (keepPerRow == 0 && ++sinceReport == 4096) { budget.Add(sinceReport); sinceReport = 0; }
            }
        }
    }

    public bool RowsCompleted(int rowEnd)
    {
        int kept = Buffer.RegroupTail(chunkStart, keepPerRow, columnKey);
        if (keepPerRow > 0) sinceReport = kept;
        budget.Add(sinceReport);
        sinceReport = 0;
        chunkStart = Buffer.Count;
        return budget.Continue(Buffer.Count);
    }
}

/// <summary>
/// The ε-profile: for each candidate within the largest ε, the smallest tolerance index whose ε holds it. The fast
/// path's distance interval settles the index unless some ε falls inside it; then the reference does.
/// </summary>
internal sealed class ProfileSink(JoinOperands op, ExactCheck exact, double[] sortedEpsilons, double[] rowMargins, bool keepDistances) : ITileSink
{
    public readonly long[] FirstIndexCounts = new long[sortedEpsilons.Length];
    public readonly List<double> Distances = [];

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Candidates(int row, int column0, uint candidates, uint sure, ReadOnlySpan<float> dots)
    {
        while (candidates != 0)
        {
            int lane = RangeJoin.NextLane(ref candidates);
            int column = column0 + lane;
            int index;
            if (keepDistances)
            {
                double distance = exact.Distance(row, column);
                index = FirstAtLeast(distance);
                if (index < sortedEpsilons.Length) Distances.Add(distance);
            }
            else
            {
                var (low, high) = op.DistanceBounds(row, column, dots[lane], rowMargins[row]);
                int lowIndex = FirstAtLeast(low), highIndex = FirstAtLeast(high);
                index = lowIndex == highIndex ? lowIndex : FirstAtLeast(exact.Distance(row, column));
            }
            if (index < sortedEpsilons.Length) FirstIndexCounts[index]++;
        }
    }

    /// <summary>The first k with distance ≤ ε_k (the length if none).</summary>
    private int FirstAtLeast(double distance)
    {
        int lo = 0, hi = sortedEpsilons.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sortedEpsilons[mid] >= distance) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    public bool RowsCompleted(int rowEnd) => true;
}

/// <summary>A growable (row, column, distance) list.</summary>
internal sealed class PairBuffer
{
    private int[] rows = new int[64], columns = new int[64];
    private double[] distances = new double[64];

    public int Count { get; private set; }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Add(int row, int column, double distance)
    {
        if (Count == rows.Length)
        {
            // Large buffers grow fourfold: their unused capacity is never touched (uninitialised), so it costs no memory,
            // while every growth copies (and first-touches) the entries again.
            int size = (int)Math.Min(Array.MaxLength, (rows.Length < 1 << 16 ? 2L : 4L) * rows.Length);
            if (size == Count) throw new InvalidOperationException("More pairs than an array can hold.");
            rows = Grown(rows, size, Count); columns = Grown(columns, size, Count); distances = Grown(distances, size, Count);
        }
        rows[Count] = row; columns[Count] = column; distances[Count] = distance;
        Count++;
    }

    /// <summary>
    /// Sorts the entries from <paramref name="start"/> on by (row, column) and, when <paramref name="keepPerRow"/> &gt; 0,
    /// keeps only the nearest of each row (by distance, then column); returns how many entries the tail now holds.
    /// </summary>
    /// <remarks>Ties in distance go to the lower column, or to the lower <paramref name="columnKey"/>[column] when the
    /// columns are a permutation of the caller's (the pruned join), so the kept pairs do not depend on the order.</remarks>
    public int RegroupTail(int start, int keepPerRow, int[]? columnKey = null)
    {
        int length = Count - start;
        if (length == 0) return 0;
        // A stable counting sort by row: within a row the generation order is already increasing in column.
        // Scratch arrays are kept between chunks: large temporary arrays would churn the large-object heap.
        int firstRow = int.MaxValue, lastRow = int.MinValue;
        for (int p = start; p < Count; p++) { firstRow = Math.Min(firstRow, rows[p]); lastRow = Math.Max(lastRow, rows[p]); }
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
                    .OrderBy(p => sortedDistances[p]).ThenBy(p => columnKey is null ? sortedColumns[p] : columnKey[sortedColumns[p]]).Take(keepPerRow).Order().ToArray();
                foreach (int p in order) { rows[written] = firstRow + r; columns[written] = sortedColumns[p]; distances[written] = sortedDistances[p]; written++; }
                continue;
            }
            for (int p = from; p < to; p++) { rows[written] = firstRow + r; columns[written] = sortedColumns[p]; distances[written] = sortedDistances[p]; written++; }
        }
        Count = written;
        return written - start;
    }

    private int[]? scratchOffsets, scratchNext, scratchColumns;
    private double[]? scratchDistances;

    /// <summary>A larger copy of the first <paramref name="count"/> entries (large ones on fresh memory that faults in cheaply).</summary>
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

/// <summary>
/// The result budget: in strict mode the whole query fails as soon as the pairs found exceed it; in truncating
/// mode each worker stops once it alone holds more (its later pairs cannot be among the first budget).
/// </summary>
internal sealed class PairBudget(long maxPairs, bool truncate)
{
    private long total;

    public long MaxPairs => maxPairs;
    public bool Truncate => truncate;

    public void Add(int found)
    {
        if (Interlocked.Add(ref total, found) > maxPairs && !truncate)
            throw new ResultBudgetExceededException(maxPairs);
    }

    public bool Continue(int heldByWorker) => !truncate || heldByWorker <= maxPairs;
}
