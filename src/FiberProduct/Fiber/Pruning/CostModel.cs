namespace FiberProduct.Fiber.Pruning;

/// <summary>
/// A head dimension k (0: no pruning), the leading coordinates tested first (0: none), and the estimated cost.
/// </summary>
internal readonly record struct PruningPlan(int Dimension, int Checkpoint, double EstimatedCost)
{
    /// <summary>The plain join, at the given estimate.</summary>
    public static PruningPlan None(double estimatedCost) => new(0, 0, estimatedCost);
}

/// <summary>
/// The constants of the cost model, in one table. Measured on 20,000 × 20,000 × 512 (docs/performance.md, "Exact
/// pruning"): change them together, and only with a measurement.
/// </summary>
/// <param name="Worthwhile">Auto prunes only when the estimate is at most this fraction of the plain join (the estimate
/// is rough).</param>
/// <param name="QuantizedSpeedup">How many times faster the int16 head kernel runs than the float32 one per coordinate
/// (1.6 with AVX-512).</param>
/// <param name="HeadEfficiency">How much dearer a head multiply-add is than the plain join's, for the head pass's lower
/// efficiency.</param>
/// <param name="TileOverhead">The fixed cost of testing a tile, in float32 coordinates.</param>
/// <param name="Dimensions">The head dimensions the model weighs (and the checkpoints), increasing.</param>
internal sealed record CostTable(double Worthwhile, double QuantizedSpeedup, double HeadEfficiency, double TileOverhead,
    int[] Dimensions)
{
    /// <summary>The table the library runs with.</summary>
    public static CostTable Measured { get; } = new(
        Worthwhile: 0.8, QuantizedSpeedup: 1.6, HeadEfficiency: 1.15, TileOverhead: 8,
        Dimensions: [8, 16, 24, 32, 48, 64, 96, 128, 160, 192, 256]);
}

/// <summary>
/// The estimated time of a pruned join relative to the plain one, from the fraction of tiles that survive the head
/// test, and the plan it picks: the head pass over k + 1 quantised coordinates (plus a per-tile overhead, weighted by
/// the head pass's efficiency) and the surviving tiles in full. Pure arithmetic on <see cref="CostTable"/>: the
/// survival fractions are measured elsewhere (<see cref="TileSurvival"/>).
/// </summary>
internal sealed class CostModel(CostTable table, int dimension)
{
    public CostTable Table { get; } = table;

    /// <summary>
    /// The most principal axes worth computing in R^d: the largest head dimension, and at most 3/4 of d.
    /// </summary>
    public int MaxAxes => Math.Min(Table.Dimensions[^1], dimension * 3 / 4);

    /// <summary>
    /// The estimated cost at head dimension k when a fraction <paramref name="survival"/> of the tiles survives.
    /// </summary>
    public double Cost(int k, double survival) =>
        Table.HeadEfficiency * ((k + 1) / Table.QuantizedSpeedup + Table.TileOverhead) / dimension + survival;

    /// <summary>
    /// The head dimensions to weigh with <paramref name="axes"/> axes: the table's below it, and all of them.
    /// </summary>
    public int[] Candidates(int axes) => Table.Dimensions.Where(k => k < axes).Append(axes).ToArray();

    /// <summary>Whether Auto declines a plan of this estimate (Always never does).</summary>
    public bool Declines(double estimate, bool always) => !always && estimate > Table.Worthwhile;

    /// <summary>A forced head dimension (capped at the axes there are) with a checkpoint at about half of it.</summary>
    public PruningPlan Forced(int k, int axes)
    {
        k = Math.Min(k, axes);
        return new PruningPlan(k, Table.Dimensions.Where(c => c <= k / 2).DefaultIfEmpty(0).Max(), double.NaN);
    }

    /// <summary>
    /// The cheapest estimate over the candidates when a fraction <paramref name="survival"/>[c] survives at each.
    /// </summary>
    public double Cheapest(int[] candidates, double[] survival) =>
        candidates.Select((k, c) => Cost(k, survival[c])).Min();

    /// <summary>
    /// The cheapest plan: for each candidate k with surviving fraction <paramref name="survival"/>[c], without a
    /// checkpoint, or with a smaller candidate b as checkpoint (the leading b coordinates of every tile, the rest of
    /// the fraction <paramref name="leading"/>[b] that passes them); the plain join when Auto declines it.
    /// </summary>
    public PruningPlan Best(int[] candidates, double[] survival, double[] leading, bool always)
    {
        var best = new PruningPlan(0, 0, double.PositiveInfinity);
        for (int c = 0; c < candidates.Length; c++)
        {
            double whole = Cost(candidates[c], survival[c]);
            if (whole < best.EstimatedCost) best = new PruningPlan(candidates[c], 0, whole);
            for (int b = 0; b < c; b++)
            {
                double cost = Cost(candidates[b], 0) + leading[b]
                    * Cost(candidates[c] - candidates[b], 0) + survival[c];
                if (cost < best.EstimatedCost) best = new PruningPlan(candidates[c], candidates[b], cost);
            }
        }
        return Declines(best.EstimatedCost, always) ? PruningPlan.None(best.EstimatedCost) : best;
    }
}
