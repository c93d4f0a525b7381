using System.Collections.Concurrent;

namespace FiberProduct.Orleans.Coordination;

/// <summary>
/// Watches the cluster's membership while a join runs, so that an attempt sent to a shard whose silo has since been
/// declared dead is given up at once instead of at the end of its lease: Orleans does not always fail such a call
/// (a request forwarded by a gateway to a silo that dies is lost, and only the response timeout ends it).
/// </summary>
/// <remarks>The coordinator asks each shard where it is before sending it a piece
/// (<see cref="Grains.ITextShardGrain.Where"/>), so every attempt is watched against one silo.</remarks>
internal sealed class SiloWatch : IAsyncDisposable
{
    private readonly IManagementGrain management;
    private readonly TimeSpan interval;
    private readonly ConcurrentDictionary<object, (string Silo, TaskCompletionSource Lost)> inFlight = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private static readonly TimeSpan Probe = TimeSpan.FromSeconds(3);

    public SiloWatch(IGrainFactory grains, TimeSpan interval)
    {
        management = grains.GetGrain<IManagementGrain>(0);
        this.interval = interval;
        loop = interval == Timeout.InfiniteTimeSpan ? Task.CompletedTask : Task.Run(Run);
    }

    /// <summary>A task that completes if <paramref name="silo"/> is declared dead before <see cref="Forget"/> is called
    /// for <paramref name="attempt"/>.</summary>
    public Task Lost(object attempt, string silo)
    {
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
                // With a timeout: the management grain may have been active on the silo that died, and a call to it
                // may be lost until the cluster has declared that silo dead.
                var hosts = await management.GetHosts(onlyActive: true).WaitAsync(Probe, stop.Token)
                    .ConfigureAwait(false);
                var active = hosts.Keys
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
