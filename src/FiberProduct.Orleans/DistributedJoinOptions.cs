using FiberProduct.Fiber;

namespace FiberProduct.Orleans;

/// <summary>How a <see cref="DistributedFiberProduct"/> cuts its join and hands the pieces out.</summary>
/// <remarks>None of these settings changes an answer, only how the work is spread and how failures are retried.
/// </remarks>
public sealed record DistributedJoinOptions
{
    /// <summary>Images per block, the unit handed to a silo (1024 by default). A block costs one read of its rows
    /// (4·d bytes each, float32) per shard; smaller blocks spread work more evenly and redo less after a
    /// failure.</summary>
    public int ImageBlockRows { get; init; } = 1024;

    /// <summary>Texts per shard, held in one silo's memory (65,536 by default: 128 MB at d = 512, float32, and about
    /// 160 MB more once prepared for the kernels, packed and quantised). A join has ⌈M / TextShardRows⌉ shards; with
    /// fewer shards than silos some silos stay idle.</summary>
    public int TextShardRows { get; init; } = 65_536;

    /// <summary>Work items sent to each shard at a time (2 by default): one computing, one waiting, so that a shard
    /// never idles on the round trip.</summary>
    public int TasksInFlightPerShard { get; init; } = 2;

    /// <summary>How long an item may go without an answer before it is sent again (1 minute by default); once pieces
    /// have come back, an attempt's lease is four times the slowest of them (at least 2 s) when that is shorter. A call
    /// to a silo that died is not always failed by the runtime (the request may be lost on the way); the lease bounds
    /// how long it is waited for. Choose a few times the time of one item
    /// (for <see cref="ImageBlockRows"/> × <see cref="TextShardRows"/> × d multiply-adds), and keep the client's
    /// response timeout (<c>ClientMessagingOptions.ResponseTimeout</c>, 30 s by default) above one item's time.
    /// </summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the coordinator asks the cluster which silos are alive (every second by default;
    /// <see cref="Timeout.InfiniteTimeSpan"/>: never). An item sent to a shard whose silo has been declared dead is
    /// sent again at once instead of at the end of its lease.</summary>
    public TimeSpan SiloCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often an item is tried before the join gives up (10 by default).</summary>
    public int MaxAttempts { get; init; } = 10;

    /// <summary>The wait before a retry, times the attempt number (250 ms by default): time for the cluster to
    /// declare a dead silo dead and place its shards elsewhere.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Each silo's join settings: threads per work item, pruning, and the result budget, which here bounds
    /// the whole result (<see cref="FiberProductOptions.TruncateAtBudget"/> is not supported). Under
    /// <see cref="PruningMode.Auto"/> the silos do not prune: each joins its pieces against its shard prepared once.
    /// <see cref="PruningMode.Always"/> plans every piece on its own, preparing the shard again each time, which pays
    /// only where pruning skips most of the work.</summary>
    public FiberProductOptions Join { get; init; } = new();

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ImageBlockRows, 1, nameof(ImageBlockRows));
        ArgumentOutOfRangeException.ThrowIfLessThan(TextShardRows, 1, nameof(TextShardRows));
        ArgumentOutOfRangeException.ThrowIfLessThan(TasksInFlightPerShard, 1, nameof(TasksInFlightPerShard));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Lease, TimeSpan.Zero, nameof(Lease));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        if (SiloCheckInterval <= TimeSpan.Zero && SiloCheckInterval != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(SiloCheckInterval), SiloCheckInterval,
                "Use a positive interval, or Timeout.InfiniteTimeSpan for no checks.");
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryDelay, TimeSpan.Zero, nameof(RetryDelay));
        ArgumentNullException.ThrowIfNull(Join, nameof(Join));
        if (Join.TruncateAtBudget)
            throw new ArgumentException("TruncateAtBudget is not supported by the distributed join: the blocks finish "
                + "in any order, so the first pairs in (image, text) order are known only at the end.", nameof(Join));
        ArgumentOutOfRangeException.ThrowIfLessThan(Join.MaxDegreeOfParallelism, -1, "Join.MaxDegreeOfParallelism");
        if (Join.MaxDegreeOfParallelism == 0)
            throw new ArgumentOutOfRangeException("Join.MaxDegreeOfParallelism", 0,
                "Use −1 (every processor) or 1 or more.");
        ArgumentOutOfRangeException.ThrowIfNegative(Join.MaxPairs, "Join.MaxPairs");
    }
}
