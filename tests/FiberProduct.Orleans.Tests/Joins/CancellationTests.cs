using System.Diagnostics;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Orleans.Grains;
using FiberProduct.Orleans.Tests.Cluster;

namespace FiberProduct.Orleans.Tests.Joins;

/// <summary>
/// Cancelling a distributed join stops the pieces already running on the silos, not only further hand-outs. Fails if
/// a piece that was running when the join was cancelled goes on to complete (the token did not reach the silo, or the
/// silo's join does not observe it), or if the pieces do not end at all (the hang guard).
/// </summary>
public sealed class CancellationTests
{
    private static int running, completed, cancelled;
    private static TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static TaskCompletionSource idle = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Fact]
    public async Task CancellingAJoin_EndsThePiecesRunningOnTheSilos()
    {
        await using var cluster = await TestClusters.StartAsync(2, silo => silo.AddIncomingGrainCallFilter(async call =>
        {
            if (call.InterfaceMethod?.Name != nameof(ITextShardGrain.Join))
            {
                await call.Invoke();
                return;
            }
            Interlocked.Increment(ref running);
            started.TrySetResult();
            try
            {
                await call.Invoke();
                Interlocked.Increment(ref completed);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref cancelled);
                throw;
            }
            finally
            {
                if (Interlocked.Decrement(ref running) == 0) idle.TrySetResult();
            }
        }));
        using var files = new TempFiles();
        // Pieces of 8,000 × 8,000 × 128 on one thread each: seconds of work, far longer than a cancel takes.
        var random = new Random(3);
        var set = new EmbeddingSet(Enumerable.Range(0, 16_000 * 128).Select(_ => (float)random.NextDouble())
            .ToArray(), 16_000, 128);
        var file = files.Write(set);
        var distributed = new DistributedFiberProduct(cluster.Client, file, file, options: new DistributedJoinOptions
        {
            ImageBlockRows = 8_000, TextShardRows = 8_000,
            Join = new FiberProductOptions { MaxDegreeOfParallelism = 1 },
        });
        using var cancel = new CancellationTokenSource();
        var join = distributed.CountAsync(0.5, cancellationToken: cancel.Token);
        await started.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await Task.Delay(200);
        idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Volatile.Read(ref running) == 0) idle.TrySetResult();
        var clock = Stopwatch.StartNew();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => join);
        await idle.Task.WaitAsync(TimeSpan.FromMinutes(2)); // a hang guard, not a timing check
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"running pieces ended {clock.Elapsed.TotalMilliseconds:F0} ms after the cancel; {cancelled} cancelled, "
            + $"{completed} completed");
        Assert.Equal(0, Volatile.Read(ref completed));
        Assert.True(cancelled > 0, "no piece was running when the join was cancelled");
    }
}
