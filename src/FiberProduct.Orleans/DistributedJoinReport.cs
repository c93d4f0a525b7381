namespace FiberProduct.Orleans;

/// <summary>What a distributed join did: its work items, their attempts and failures, the bytes its results took and
/// which silo computed what. For monitoring and for the figures of docs/scaling.md; the answer itself does not depend
/// on any of it.</summary>
/// <param name="WorkItems">Image blocks × text shards.</param>
/// <param name="Blocks">Image blocks.</param>
/// <param name="Shards">Text shards.</param>
/// <param name="Attempts">Calls made: <paramref name="WorkItems"/> when nothing failed.</param>
/// <param name="Failures">Calls that failed in the runtime (a dead silo, a broken connection) and were retried.</param>
/// <param name="LeaseExpiries">Calls that brought no answer within the lease and were sent again.</param>
/// <param name="Redone">Work items that needed more than one attempt.</param>
/// <param name="DuplicatesIgnored">Answers that arrived for an item already answered, and were dropped.</param>
/// <param name="ResultBytes">The bytes of the results received (their arrays and fields; not Orleans' message
/// headers).</param>
/// <param name="Elapsed">Wall time of the join, from the first call to the last result.</param>
/// <param name="ItemsPerSilo">Accepted work items by the silo that computed them.</param>
public sealed record DistributedJoinReport(int WorkItems, int Blocks, int Shards, int Attempts, int Failures,
    int LeaseExpiries, int Redone, int DuplicatesIgnored, long ResultBytes, TimeSpan Elapsed,
    IReadOnlyDictionary<string, int> ItemsPerSilo);
