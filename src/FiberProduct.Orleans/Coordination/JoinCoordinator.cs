using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using FiberProduct.Orleans.Grains;
using FiberProduct.Orleans.Protocol;

namespace FiberProduct.Orleans.Coordination;

/// <summary>
/// Hands the work items of a join to the shard grains and collects their results, each accepted once.
/// </summary>
/// <remarks>
/// Each shard gets <see cref="DistributedJoinOptions.TasksInFlightPerShard"/> items at a time. Before each attempt
/// the shard is asked where it is, and the attempt is watched against that silo (<see cref="SiloWatch"/>). An item is
/// sent again if its call fails with a runtime error (the silo died, the connection broke, the call timed out), if its
/// silo is declared dead, or if no answer comes within its lease (<see cref="Lease"/>); Orleans activates the shard on
/// a live silo, which reads the same rows from storage. Results are keyed by item id and the first one wins, so a late
/// answer of an abandoned attempt is counted as a duplicate and dropped: no pair is lost or counted twice. An error
/// of the input (a missing file, a bad argument, the result budget) is not retried: it ends the join.
/// </remarks>
internal sealed class JoinCoordinator(IGrainFactory grains, DistributedJoinOptions options, string? output = null)
{
    /// <summary>How long the question "where is this shard?" may take before it counts as lost: well above a round
    /// trip, well below a lease.</summary>
    private static readonly TimeSpan Probe = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The lease of an attempt: <see cref="DistributedJoinOptions.Lease"/>, or, once pieces have come back, four times
    /// the slowest of them (at least <see cref="MinimumLease"/>) if that is shorter. A call whose message was lost
    /// with a dead silo is then resent after a few piece times, not after the configured lease; a piece that is
    /// merely slow is computed twice at worst, and the first answer is kept.
    /// </summary>
    private TimeSpan Lease()
    {
        long slowest = Interlocked.Read(ref slowestTicks);
        if (slowest == 0) return options.Lease;
        var adaptive = TimeSpan.FromTicks(Math.Max(MinimumLease.Ticks, 4 * slowest));
        return adaptive < options.Lease ? adaptive : options.Lease;
    }

    private static readonly TimeSpan MinimumLease = TimeSpan.FromSeconds(2);
    private long slowestTicks;

    private void Observed(TimeSpan duration)
    {
        long ticks = duration.Ticks, seen;
        while (ticks > (seen = Interlocked.Read(ref slowestTicks))
            && Interlocked.CompareExchange(ref slowestTicks, ticks, seen) != seen) { }
    }

    private int attempts, failures, leaseExpiries, duplicates, accepted;
    private long bytesReceived;
    private readonly ConcurrentDictionary<string, int> perSilo = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, int> attemptsPerItem = new();

    public async Task<(BlockResult[] Results, DistributedJoinReport Report)> RunAsync(JoinPlan plan, ShardQuery query,
        IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var results = new BlockResult?[plan.Items.Count];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var watch = new SiloWatch(grains, options.SiloCheckInterval);
        var loops = new List<Task>();
        foreach (var shard in plan.Items.GroupBy(item => item.Shard))
        {
            var queue = new ConcurrentQueue<WorkItem>(shard);
            for (int w = 0; w < options.TasksInFlightPerShard; w++)
                loops.Add(Drain(queue, results, query, progress, watch, stop));
        }
        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
            // Every item is in: attempts still running after their lease ran out are cancelled on their silos.
            await stop.CancelAsync().ConfigureAwait(false);
        }
        catch when (!cancellationToken.IsCancellationRequested)
        {
            // The first error of the input ends the join; the other loops stop and their cancellations are not it.
            var error = loops.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!)
                .FirstOrDefault(e => e is not OperationCanceledException);
            if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            throw;
        }
        var report = new DistributedJoinReport(plan.Items.Count, plan.Blocks.Count, plan.Shards.Count, attempts,
            failures, leaseExpiries, attemptsPerItem.Count(a => a.Value > 1), duplicates, bytesReceived, clock.Elapsed,
            new Dictionary<string, int>(perSilo, StringComparer.Ordinal));
        return (results.Select(r => r!).ToArray(), report);
    }

    private async Task Drain(ConcurrentQueue<WorkItem> queue, BlockResult?[] results, ShardQuery query,
        IProgress<double>? progress, SiloWatch watch, CancellationTokenSource stop)
    {
        try
        {
            while (queue.TryDequeue(out var item))
                await RunItem(item, results, query, progress, watch, stop.Token).ConfigureAwait(false);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task RunItem(WorkItem item, BlockResult?[] results, ShardQuery query, IProgress<double>? progress,
        SiloWatch watch, CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<ITextShardGrain>(TextShardGrain.KeyOf(item.Texts));
        // Attempts whose lease ran out, each with the continuation that accepts its answer if it still comes.
        var outstanding = new List<(Task<BlockResult> Call, Task Accepted)>();
        Exception? last = null;
        for (int attempt = 1; attempt <= options.MaxAttempts && results[item.Id] is null; attempt++)
        {
            Interlocked.Increment(ref attempts);
            attemptsPerItem.AddOrUpdate(item.Id, 1, (_, n) => n + 1);
            string silo;
            try
            {
                // Where the shard is (activating it on a live silo if its own died), asked with a short timeout: a
                // question routed to a dead silo may be lost like any message.
                silo = await grain.Where().WaitAsync(Probe, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsRuntimeFailure(e, cancellationToken))
            {
                Interlocked.Increment(ref failures);
                last = e;
                await Task.Delay(options.RetryDelay * attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var started = Stopwatch.GetTimestamp();
            var call = grain.Join(item.Images, query, OutputOf(item), cancellationToken);
            var lease = Task.Delay(Lease(), cancellationToken);
            var attemptKey = new object();
            var lost = watch.Lost(attemptKey, silo);
            var first = await Task.WhenAny(call, lease, lost).ConfigureAwait(false);
            watch.Forget(attemptKey);
            if (first != call)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // The lease ran out or the silo died: send the item again, and still take this attempt's answer if it
                // comes first.
                Interlocked.Increment(ref first == lost ? ref failures : ref leaseExpiries);
                outstanding.Add((call, call.ContinueWith(
                    t => { if (t.IsCompletedSuccessfully) Accept(item, t.Result, results, progress); },
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)));
                last = new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"No answer for image block {item.Block} × text shard {item.Shard} within the lease "
                    + $"({options.Lease})."));
                continue;
            }
            try
            {
                var result = await call.ConfigureAwait(false);
                Observed(Stopwatch.GetElapsedTime(started));
                Accept(item, result, results, progress);
                return;
            }
            catch (Exception e) when (IsRuntimeFailure(e, cancellationToken))
            {
                Interlocked.Increment(ref failures);
                last = e;
                await Task.Delay(options.RetryDelay * attempt, cancellationToken).ConfigureAwait(false);
            }
        }
        // Out of attempts: a late answer of an attempt whose lease ran out may still come.
        while (results[item.Id] is null && outstanding.Count > 0)
        {
            var accepted = await Task.WhenAny(outstanding.Select(o => o.Accepted)).WaitAsync(cancellationToken)
                .ConfigureAwait(false);
            var done = outstanding.First(o => o.Accepted == accepted);
            outstanding.Remove(done);
            if (done.Call.Exception?.InnerException is { } error && !IsRuntimeFailure(error, cancellationToken))
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
        if (results[item.Id] is null)
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                $"Image block {item.Block} ({item.Images}) × text shard {item.Shard} ({item.Texts}) failed "
                + $"{options.MaxAttempts} times (DistributedJoinOptions.MaxAttempts); the last error: "
                + $"{last?.Message}"), last);
    }

    /// <summary>The shard file of an item when the pairs land in a folder: one per item, whatever the
    /// attempts.</summary>
    private PieceFile? OutputOf(WorkItem item) => output is null ? null : new PieceFile(output, item.Block, item.Shard,
        item.Block * options.ImageBlockRows, item.Shard * options.TextShardRows);

    private void Accept(WorkItem item, BlockResult result, BlockResult?[] results, IProgress<double>? progress)
    {
        Interlocked.Add(ref bytesReceived, result.PayloadBytes);
        if (Interlocked.CompareExchange(ref results[item.Id], result, null) is not null)
        {
            Interlocked.Increment(ref duplicates);
            return;
        }
        perSilo.AddOrUpdate(result.Silo, 1, (_, n) => n + 1);
        int done = Interlocked.Increment(ref accepted);
        progress?.Report((double)done / results.Length);
    }

    /// <summary>
    /// Failures of the machinery, not of the input: Orleans' own errors (a dead silo, a rejected message, a broken
    /// connection), timeouts, and a cancellation the caller did not ask for (a silo shutting down cancels its calls).
    /// </summary>
    private static bool IsRuntimeFailure(Exception e, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && e is OrleansException or TimeoutException or OperationCanceledException or ObjectDisposedException;
}
