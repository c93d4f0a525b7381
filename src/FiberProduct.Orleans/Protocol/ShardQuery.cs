using FiberProduct.Fiber;

namespace FiberProduct.Orleans.Protocol;

/// <summary>
/// One operation, as every work item of a distributed join runs it: the same for every (block, shard), so that the
/// block results compose into the single-machine answer.
/// </summary>
[GenerateSerializer, Immutable, Alias("FiberProduct.Orleans.ShardQuery")]
internal sealed record ShardQuery(
    [property: Id(0)] QueryKind Kind,
    [property: Id(1)] double Epsilon,
    [property: Id(2)] double[] Epsilons,
    [property: Id(3)] bool IncludeDistances,
    [property: Id(4)] int K,
    [property: Id(5)] FiberMetric Metric,
    [property: Id(6)] int MaxDegreeOfParallelism,
    [property: Id(7)] PruningMode Pruning,
    [property: Id(8)] long MaxPairs);
