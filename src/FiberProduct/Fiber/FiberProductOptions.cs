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
    /// pairs in (image, text) order marked <see cref="PairSet.IsTruncated"/>.
    /// </summary>
    public long MaxPairs { get; init; } = DefaultMaxPairs;

    /// <summary>Return a truncated result instead of throwing when <see cref="MaxPairs"/> is exceeded.</summary>
    public bool TruncateAtBudget { get; init; }

    internal int Workers => MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : MaxDegreeOfParallelism;

    internal void Validate()
    {
        if (MaxDegreeOfParallelism is 0 or < -1)
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "Expected −1 (all processors) or a positive thread count.");
        if (MaxPairs < 0 || MaxPairs > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(MaxPairs), MaxPairs, $"Expected 0 … {Array.MaxLength} pairs.");
    }
}
