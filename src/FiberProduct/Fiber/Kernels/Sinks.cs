using System.Numerics;
using FiberProduct.Fiber.Exact;

namespace FiberProduct.Fiber.Kernels;

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
            if (exact.Within(row, column0 + lane, epsilon)) Count++;
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
        int count = exact.Within(row, column0, candidates, epsilon, columns, distances);
        for (int c = 0; c < count; c++)
        {
            Buffer.Add(row, columns[c], distances[c]);
            if (keepPerRow == 0 && ++sinceReport == 4096) { budget.Add(sinceReport); sinceReport = 0; }
        }
    }

    public bool RowsCompleted(int rowEnd)
    {
        int kept = Buffer.RegroupTail(chunkStart, keepPerRow, columnKey);
        if (keepPerRow > 0) sinceReport = kept;
        budget.Add(sinceReport);
        sinceReport = 0;
        chunkStart = Buffer.Count;
        return true;
    }
}

/// <summary>
/// The ε-profile: for each candidate within the largest ε, the smallest tolerance index whose ε holds it, by a binary
/// search over the sorted tolerances. Each step is settled by the fast path's interval around the exact distance
/// (<see cref="JoinOperands.Classify"/>) or, when that tolerance falls inside it, exactly (<see cref="ExactCheck"/>).
/// </summary>
internal sealed class ProfileSink(JoinOperands op, ExactCheck exact, double[] sortedEpsilons, bool keepDistances) : ITileSink
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
            int lo = 0, hi = sortedEpsilons.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                int side = op.Classify(row, column, dots[lane], sortedEpsilons[mid], exact);
                if (side > 0 || side == 0 && exact.Within(row, column, sortedEpsilons[mid])) hi = mid; else lo = mid + 1;
            }
            if (lo == sortedEpsilons.Length) continue;
            FirstIndexCounts[lo]++;
            if (keepDistances)
            {
                // Brought into the interval the decisions prove, (ε_{k−1}, ε_k] for the first tolerance k that holds the
                // pair, so that counting the distances at any given tolerance gives its count.
                exact.Within(row, column, sortedEpsilons[lo], out double distance);
                if (lo > 0 && distance <= sortedEpsilons[lo - 1]) distance = Math.BitIncrement(sortedEpsilons[lo - 1]);
                Distances.Add(distance);
            }
        }
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
/// The result budget of a strict query: the workers share one count, and the whole query fails as soon as the pairs
/// found exceed it (truncating queries run in bands instead, see ApproximateFiberProduct.CollectTruncated).
/// </summary>
internal sealed class PairBudget(long maxPairs)
{
    private long total;

    public long MaxPairs => maxPairs;

    public void Add(int found)
    {
        if (Interlocked.Add(ref total, found) > maxPairs) throw new ResultBudgetExceededException(maxPairs);
    }
}
