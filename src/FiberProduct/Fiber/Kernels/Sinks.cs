using System.Numerics;

namespace FiberProduct.Fiber.Kernels;

/// <summary>The reference decision for a pair the fast path could not settle.</summary>
internal sealed class ExactCheck(JoinOperands op)
{
    public double Distance(int i, int j) =>
        ReferenceDistance.Distance(op.Metric, op.Images.Row(i), op.Texts.Row(j), op.Images.SquaredNorm(i), op.Texts.SquaredNorm(j));
}

/// <summary>|F_ε|: sure pairs are counted by popcount, the rest of the candidates by the reference.</summary>
internal sealed class CountSink(ExactCheck exact, Func<int, double> epsilonOfRow) : ITileSink
{
    public long Count;

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
internal sealed class PairSink(ExactCheck exact, Func<int, double> epsilonOfRow, PairBudget budget, int keepPerRow = 0) : ITileSink
{
    public readonly PairBuffer Buffer = new();
    private int sinceReport, chunkStart;

    public void Candidates(int row, int column0, uint candidates, uint sure, ReadOnlySpan<float> dots)
    {
        double epsilon = epsilonOfRow(row);
        while (candidates != 0)
        {
            int lane = RangeJoin.NextLane(ref candidates);
            double distance = exact.Distance(row, column0 + lane);
            if (distance <= epsilon)
            {
                Buffer.Add(row, column0 + lane, distance);
                if (keepPerRow == 0 && ++sinceReport == 4096) { budget.Add(sinceReport); sinceReport = 0; }
            }
        }
    }

    public bool RowsCompleted(int rowEnd)
    {
        int kept = Buffer.RegroupTail(chunkStart, keepPerRow);
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

    public void Add(int row, int column, double distance)
    {
        if (Count == rows.Length)
        {
            int size = (int)Math.Min(Array.MaxLength, 2L * rows.Length);
            if (size == Count) throw new InvalidOperationException("More pairs than an array can hold.");
            Array.Resize(ref rows, size); Array.Resize(ref columns, size); Array.Resize(ref distances, size);
        }
        rows[Count] = row; columns[Count] = column; distances[Count] = distance;
        Count++;
    }

    /// <summary>
    /// Sorts the entries from <paramref name="start"/> on by (row, column) and, when <paramref name="keepPerRow"/> &gt; 0,
    /// keeps only the nearest of each row (by distance, then column); returns how many entries the tail now holds.
    /// </summary>
    public int RegroupTail(int start, int keepPerRow)
    {
        int length = Count - start;
        if (length <= 1 && keepPerRow == 0) return length;
        var order = new int[length];
        for (int p = 0; p < length; p++) order[p] = p;
        var (r, c, d) = (rows.AsSpan(start, length).ToArray(), columns.AsSpan(start, length).ToArray(), distances.AsSpan(start, length).ToArray());
        if (keepPerRow > 0)
            Array.Sort(order, (a, b) => r[a] != r[b] ? r[a].CompareTo(r[b]) : d[a] != d[b] ? d[a].CompareTo(d[b]) : c[a].CompareTo(c[b]));
        else
            Array.Sort(order, (a, b) => r[a] != r[b] ? r[a].CompareTo(r[b]) : c[a].CompareTo(c[b]));
        int written = start;
        for (int p = 0; p < length;)
        {
            int q = p;
            while (q < length && r[order[q]] == r[order[p]]) q++;
            int take = keepPerRow > 0 ? Math.Min(keepPerRow, q - p) : q - p;
            if (keepPerRow > 0) Array.Sort(order, p, take, Comparer<int>.Create((a, b) => c[a].CompareTo(c[b])));
            for (int t = p; t < p + take; t++)
            {
                rows[written] = r[order[t]]; columns[written] = c[order[t]]; distances[written] = d[order[t]];
                written++;
            }
            p = q;
        }
        Count = written;
        return written - start;
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
