using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber;

namespace FiberProduct.Analysis;

/// <summary>
/// The exact distances from every point of a set to its k nearest other points, from the ε-join engine (the set
/// joined with itself at ε = ∞, k + 1 nearest per row, the point itself removed): no approximate neighbour search.
/// </summary>
internal static class NeighbourDistances
{
    /// <summary>Row i holds the distances from point i to its k nearest other points, ascending.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k is below 1 or not below the number of points.</exception>
    public static double[][] Of(EmbeddingSet points, int k, FiberProductOptions? options, string argument,
        ExecutionScope scope)
    {
        if (k < 1 || k >= points.Count)
            throw new ArgumentOutOfRangeException(argument, k, Resampling.Invariant(
                $"Expected 1 ≤ k < {points.Count} (the number of points): each point needs k other points."));
        options = (options ?? new FiberProductOptions()) with { TruncateAtBudget = false };
        int n = points.Count;
        // At ε = ∞ every pair needs its float64 distance; within a finite ε the engine's filters discard most pairs
        // unread. A row holding k + 1 points within ε holds its k + 1 nearest, exactly; ε is the largest (k+1)-th
        // neighbour distance of up to 64 evenly spread points, and the rows that still fall short are redone at ∞.
        var sample = Enumerable.Range(0, Math.Min(n, 64)).Select(s => (int)((long)s * n / Math.Min(n, 64))).ToArray();
        var probe = new ApproximateFiberProduct(Resampling.SelectRows(points, sample), points,
            FiberMetric.Euclidean, options)
            .NearestWithin(double.PositiveInfinity, k + 1, ScopeProgress.Of(scope.Part(0, 0.05)), scope.Token);
        double epsilon = probe.Distances.ToArray().Max();
        var nearest = new ApproximateFiberProduct(points, points, FiberMetric.Euclidean, options)
            .NearestWithin(epsilon, k + 1, ScopeProgress.Of(scope.Part(0.05, 0.85)), scope.Token);
        var shortRows = Enumerable.Range(0, n).Where(i => nearest.ColumnsOfRow(i).Length < k + 1).ToArray();
        var retry = shortRows.Length == 0 ? null : new ApproximateFiberProduct(Resampling.SelectRows(points, shortRows),
            points, FiberMetric.Euclidean, options)
            .NearestWithin(double.PositiveInfinity, k + 1, ScopeProgress.Of(scope.Part(0.85, 0.95)), scope.Token);
        // Where row i's neighbours come from: its retry row, or the first join.
        var retryRow = new int[n];
        Array.Fill(retryRow, -1);
        for (int r = 0; r < shortRows.Length; r++) retryRow[shortRows[r]] = r;
        var result = new double[n][];
        scope.Part(0.95, 1).For(0, n, i =>
        {
            var (source, sourceRow) = retryRow[i] >= 0 ? (retry!, retryRow[i]) : (nearest, i);
            var columns = source.ColumnsOfRow(sourceRow);
            var distances = source.DistancesOfRow(sourceRow);
            var order = new (double Distance, int Column)[columns.Length];
            for (int p = 0; p < columns.Length; p++) order[p] = (distances[p], columns[p]);
            Array.Sort(order);
            // The point itself sits at distance 0; it can be missing when more than k other points coincide with it
            // and have lower indices (the engine breaks ties by index), and then the first k are all others anyway.
            int self = Array.FindIndex(order, o => o.Column == i);
            var row = new double[k];
            for (int p = 0, r = 0; r < k; p++)
                if (p != self) row[r++] = order[p].Distance;
            result[i] = row;
        }, reportEvery: 1024);
        return result;
    }

    /// <summary>Rejects a zero neighbour distance, where the log-distance estimators are undefined.</summary>
    public static void RequireDistinct(double[][] neighbours)
    {
        for (int i = 0; i < neighbours.Length; i++)
            if (neighbours[i][0] == 0)
                throw new InvalidOperationException(Resampling.Invariant(
                    $"Point {i} coincides with another point (nearest-neighbour distance 0); the estimate needs ")
                    + "distinct points: remove duplicates first.");
    }
}
