using System.Collections.Concurrent;

namespace FiberProduct.Orleans.Coordination;

/// <summary>
/// Watches the cluster's membership while a join runs, so that an attempt sent to a shard whose silo has since been
/// declared dead is given up at once instead of at the end of its lease: Orleans does not always fail such a call
/// (a request forwarded by a gateway to a silo that dies is lost, and only the response timeout ends it).
/// </summary>
/// <remarks>A shard's silo is the one that last answered for it; before its first answer, only the lease applies.
/// </remarks>
internal sealed class SiloWatch : IAsyncDisposable
{
    private readonly IManagementGrain management;
    private readonly TimeSpan interval;
    private readonly ConcurrentDictionary<int, string> shardSilo = new();
    private readonly ConcurrentDictionary<object, (string Silo, TaskCompletionSource Lost)> inFlight = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private static readonly Task Never = new TaskCompletionSource().Task;

    public SiloWatch(IGrainFactory grains, TimeSpan interval)
    {
        management = grains.GetGrain<IManagementGrain>(0);
        this.interval = interval;
        loop = interval == Timeout.InfiniteTimeSpan ? Task.CompletedTask : Task.Run(Run);
    }

    /// <summary>Records which silo answered for a shard.</summary>
    public void Answered(int shard, string silo) => shardSilo[shard] = silo;

    /// <summary>A task that completes if the silo last seen holding <paramref name="shard"/> is declared dead before
    /// <see cref="Forget"/> is called for <paramref name="attempt"/>.</summary>
    public Task Lost(object attempt, int shard)
    {
        if (!shardSilo.TryGetValue(shard, out var silo)) return Never;
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        inFlight[attempt] = (silo, lost);
        return lost.Task;
    }

    public void Forget(object attempt) => inFlight.TryRemove(attempt, out _);

    private async Task Run()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, stop.Token).ConfigureAwait(false);
                var active = (await management.GetHosts(onlyActive: true).ConfigureAwait(false)).Keys
                    .Select(silo => silo.ToString()).ToHashSet(StringComparer.Ordinal);
                foreach (var (_, (silo, lost)) in inFlight)
                    if (!active.Contains(silo)) lost.TrySetResult();
            }
            catch (Exception e) when (e is OrleansException or TimeoutException or OperationCanceledException)
            {
                // The management grain may be moving off a dead silo itself, or the join is over: try again, or stop.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(false);
        stop.Dispose();
    }
}
