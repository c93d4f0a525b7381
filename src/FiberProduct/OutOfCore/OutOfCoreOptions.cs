using FiberProduct.Fiber;

namespace FiberProduct.OutOfCore;

/// <summary>Memory, block sizes and threads of an <see cref="OutOfCoreFiberProduct"/>.</summary>
public sealed record OutOfCoreOptions
{
    /// <summary>
    /// The managed memory one block pair may take while it is joined: both blocks in memory, the float32 copies and
    /// packed panels the join reads, and the pairs the block pair finds (see docs/scaling.md for the cost model).
    /// Default: half of what the garbage collector reports as available (physical memory, a container's limit, or
    /// <c>DOTNET_GCHeapHardLimit</c>). Block sizes left null are derived from it.
    /// </summary>
    public long MemoryLimitBytes { get; init; } = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;

    /// <summary>Image rows per block; null derives it from <see cref="MemoryLimitBytes"/> (a quarter of it), or, when
    /// a join resumes, takes the block size it started with.</summary>
    public int? ImageBlockRows { get; init; }

    /// <summary>Text rows per block; null derives it from <see cref="MemoryLimitBytes"/> (a quarter of it), or, when
    /// a join resumes, takes the block size it started with.</summary>
    public int? TextBlockRows { get; init; }

    /// <summary>Threads each block pair's join may use; −1 (the default) means one per processor.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    internal void Validate()
    {
        _ = Execution.ExecutionScope.Resolve(MaxDegreeOfParallelism, nameof(MaxDegreeOfParallelism));
        if (MemoryLimitBytes <= 0)
            throw new ArgumentOutOfRangeException(nameof(MemoryLimitBytes), MemoryLimitBytes,
                "Expected a positive limit.");
        if (ImageBlockRows is < 1)
            throw new ArgumentOutOfRangeException(nameof(ImageBlockRows), ImageBlockRows, "Expected at least 1 row.");
        if (TextBlockRows is < 1)
            throw new ArgumentOutOfRangeException(nameof(TextBlockRows), TextBlockRows, "Expected at least 1 row.");
    }

    /// <summary>The in-memory join's options for one block pair: its threads, the pair budget the memory limit
    /// leaves, and no pruning (planned per block pair it rarely pays, docs/scaling.md).</summary>
    internal FiberProductOptions Join(long maxPairs) => new()
    {
        MaxDegreeOfParallelism = MaxDegreeOfParallelism,
        MaxPairs = maxPairs,
        Pruning = PruningMode.Never,
    };
}
