namespace FiberProduct.Orleans;

/// <summary>What a distributed join did: its work items, their attempts and failures, the bytes its results took and
/// which silo computed what. For monitoring and for the figures of docs/scaling.md; the answer itself does not depend
/// on any of it.</summary>
/// <param name="WorkItems">Image blocks × text shards.</param>
/// <param name="Blocks">Image blocks.</param>
/// <param name="Shards">Text shards.</param>
/// <param name="Attempts">Calls made: <paramref name="WorkItems"/> when nothing failed.</param>
/// <param name="Failures">Calls that failed in the runtime (a dead silo, a broken connection) or were given up because
/// their silo was declared dead, and were sent again.</param>
/// <param name="LeaseExpiries">Calls that brought no answer within the lease and were sent again.</param>
/// <param name="Redone">Work items that needed more than one attempt.</param>
/// <param name="DuplicatesIgnored">Answers that arrived for an item already answered, and were dropped.</param>
/// <param name="ResultBytes">The bytes of the results received (their arrays and fields; not Orleans' message
/// headers).</param>
/// <param name="Elapsed">Wall time of the join, from the first call to the last result.</param>
/// <param name="ItemsPerSilo">Accepted work items by the silo that computed them.</param>
public sealed record DistributedJoinReport(int WorkItems, int Blocks, int Shards, int Attempts, int Failures,
    int LeaseExpiries, int Redone, int DuplicatesIgnored, long ResultBytes, TimeSpan Elapsed,
    IReadOnlyDictionary<string, int> ItemsPerSilo)
{
    /// <summary>One line: the counts, the bytes, the time and the pieces per silo.</summary>
    /// <returns>For instance "180 pieces (30 blocks × 6 shards), 186 attempts, 6 failures, 0 leases expired, 6 redone,
    /// 0 duplicates, 830040 result bytes, 2.55 s; per silo: S127.0.0.1:11111:1 120, S127.0.0.1:11112:1 60".</returns>
    public override string ToString()
    {
        var silos = string.Join(", ", ItemsPerSilo.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{p.Key} {p.Value}")));
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        return string.Create(culture, $"{WorkItems} pieces ({Blocks} blocks × {Shards} shards), {Attempts} attempts, ")
            + string.Create(culture, $"{Failures} failures, {LeaseExpiries} leases expired, {Redone} redone, ")
            + string.Create(culture, $"{DuplicatesIgnored} duplicates, {ResultBytes} result bytes, ")
            + string.Create(culture, $"{Elapsed.TotalSeconds:F2} s; per silo: {silos}");
    }
}
