namespace FiberProduct.Fiber.Pruning;

/// <summary>
/// What the pruning of a query did: the plan's head dimension (0: the plain join) and checkpoint, the cost model's
/// estimate relative to the plain join (NaN when the dimension was forced), and the tiles the filter skipped, computed
/// in full, let past the checkpoint, and skipped by the cluster bound alone (among the skipped).
/// </summary>
internal sealed record PruningStatistics(int Dimension, int Checkpoint, double EstimatedCost, long Skipped = 0,
    long Computed = 0, long PassedCheckpoint = 0, long SkippedByBalls = 0)
{
    /// <summary>Whether the query ran the head filter (a plan with heads, or a forced one).</summary>
    public bool Pruned => Skipped + Computed > 0;

    /// <summary>The fraction of tiles the filter skipped.</summary>
    public double SkippedFraction => Pruned ? (double)Skipped / (Skipped + Computed) : 0;
}
