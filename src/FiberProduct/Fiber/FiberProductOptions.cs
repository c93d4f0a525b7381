namespace FiberProduct.Fiber;

/// <summary>Execution settings of an <see cref="ApproximateFiberProduct"/>.</summary>
public sealed record FiberProductOptions
{
    /// <summary>The default result budget: 100 million pairs (about 1.6 GB of CSR arrays).</summary>
    public const long DefaultMaxPairs = 100_000_000;

    /// <summary>Threads a query may use; −1 (the default) means one per processor.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>
    /// The most pairs a query that returns pairs may hold. Beyond it the query throws
    /// <see cref="ResultBudgetExceededException"/>, or, with <see cref="TruncateAtBudget"/>, returns the first
    /// pairs in (image, text) order marked <see cref="PairSet.IsTruncated"/>
    /// (<see cref="ApproximateFiberProduct.NearestWithin"/> always throws). Counts, profiles and
    /// <see cref="ApproximateFiberProduct.EnumeratePairs"/> hold no pairs and have no budget.
    /// </summary>
    public long MaxPairs { get; init; } = DefaultMaxPairs;

    /// <summary>Return a truncated result instead of throwing when <see cref="MaxPairs"/> is exceeded.</summary>
    public bool TruncateAtBudget { get; init; }

    /// <summary>
    /// Whether the queries (<see cref="ApproximateFiberProduct.Count"/>, <c>Pairs</c>, <c>PairsPerImageTolerance</c>,
    /// <c>Profile</c>, <c>NearestWithin</c>) may skip work by exact lower bounds (docs/concepts.md, "Exact pruning").
    /// The answer is the same either way; only the time differs.
    /// </summary>
    public PruningMode Pruning { get; init; } = PruningMode.Auto;

    /// <summary>
    /// Forces the head dimension k of the pruning bound (0 = the norm bound alone; the head pass then checks the
    /// leading coordinates up to the largest candidate size ≤ k/2 first); null lets the cost model choose.
    /// Implies pruning.
    /// </summary>
    public int? PruningDimension { get; init; }

    internal void Validate()
    {
        _ = Execution.ExecutionScope.Resolve(MaxDegreeOfParallelism, nameof(MaxDegreeOfParallelism));
        if (!Enum.IsDefined(Pruning))
            throw new ArgumentOutOfRangeException(nameof(Pruning), Pruning, "Unknown pruning mode.");
        if (PruningDimension is < 0)
            throw new ArgumentOutOfRangeException(nameof(PruningDimension), PruningDimension,
                "Expected a head dimension ≥ 0.");
        if (MaxPairs < 0 || MaxPairs > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(MaxPairs), MaxPairs,
                $"Expected 0 … {Array.MaxLength} pairs.");
    }
}

/// <summary>When the ε-join uses exact pruning.</summary>
public enum PruningMode
{
    /// <summary>When the problem is large (N·M·d ≥ 2^34) and the cost model, from sampled tiles, expects at least a
    /// 20 % saving.</summary>
    Auto,

    /// <summary>Never: every tile is computed in full (the brute-force kernel).</summary>
    Never,

    /// <summary>Always, with the head dimension the cost model finds cheapest even if it saves nothing.</summary>
    Always,
}
