using FiberProduct.Fiber;
using FiberProduct.Orleans.Coordination;
using FiberProduct.Orleans.Protocol;

namespace FiberProduct.Orleans.Merging;

/// <summary>
/// Composes the block results into the single-machine answer. Exact because every pair is decided, and given its
/// distance, from its own two rows alone: a block result is the single-machine answer restricted to its block and
/// shard, so counts add, pair lists concatenate (shards in text order keep each row's texts increasing), and the k
/// nearest of a row are the k nearest of the shards' k nearest under the core's order (distance, then text).
/// </summary>
internal static class ResultMerger
{
    public static long Count(IReadOnlyList<BlockResult> results) => results.Sum(r => r.Count);

    public static EpsilonProfile Profile(double[] epsilons, bool includeDistances, IReadOnlyList<BlockResult> results)
    {
        var counts = new long[epsilons.Length];
        foreach (var result in results)
            for (int k = 0; k < counts.Length; k++) counts[k] += result.Counts[k];
        double[]? distances = null;
        if (includeDistances)
        {
            distances = results.SelectMany(r => r.Distances).ToArray();
            Array.Sort(distances);
        }
        return new EpsilonProfile(epsilons, counts, distances);
    }

    /// <summary>F_ε, or with <paramref name="keepPerRow"/> &gt; 0 each row's nearest texts, as one CSR pair
    /// set.</summary>
    public static PairSet Pairs(JoinPlan plan, int rows, int columns, IReadOnlyList<BlockResult> results,
        FiberMetric metric, long maxPairs, int keepPerRow)
    {
        var offsets = new long[rows + 1];
        var rowColumns = new List<int>();
        var rowDistances = new List<double>();
        var allColumns = new List<int>();
        var allDistances = new List<double>();
        int shards = plan.Shards.Count;
        for (int b = 0; b < plan.Blocks.Count; b++)
        {
            int first = plan.Blocks[b].Start - plan.Blocks[0].Start;
            for (int local = 0; local < plan.Blocks[b].Count; local++)
            {
                rowColumns.Clear();
                rowDistances.Clear();
                for (int s = 0; s < shards; s++)
                {
                    var result = results[b * shards + s];
                    int shift = plan.Shards[s].Start - plan.Shards[0].Start;
                    for (int p = result.RowOffsets[local]; p < result.RowOffsets[local + 1]; p++)
                    {
                        rowColumns.Add(result.Columns[p] + shift);
                        rowDistances.Add(result.Distances[p]);
                    }
                }
                if (keepPerRow > 0 && rowColumns.Count > keepPerRow) KeepNearest(rowColumns, rowDistances, keepPerRow);
                allColumns.AddRange(rowColumns);
                allDistances.AddRange(rowDistances);
                if (allColumns.Count > maxPairs) throw new ResultBudgetExceededException(maxPairs);
                offsets[first + local + 1] = allColumns.Count;
            }
        }
        var pairs = new PairSet(columns, offsets, [.. allColumns], [.. allDistances], isTruncated: false);
        var any = results.Count > 0 ? results[0] : null;
        pairs.DistanceError = (metric, any?.RelativeError ?? 0, any?.AbsoluteError ?? 0);
        return pairs;
    }

    /// <summary>The core's rule (PairBuffer.RegroupTail): the nearest by distance, ties to the lower text; kept in text
    /// order.</summary>
    private static void KeepNearest(List<int> columns, List<double> distances, int k)
    {
        var kept = Enumerable.Range(0, columns.Count)
            .OrderBy(p => distances[p]).ThenBy(p => columns[p]).Take(k).Order().ToArray();
        var keptColumns = kept.Select(p => columns[p]).ToList();
        var keptDistances = kept.Select(p => distances[p]).ToList();
        columns.Clear();
        columns.AddRange(keptColumns);
        distances.Clear();
        distances.AddRange(keptDistances);
    }
}
