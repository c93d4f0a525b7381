using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Orleans.Grains;
using FiberProduct.Orleans.Tests.Cluster;
using FiberProduct.OutOfCore;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace FiberProduct.Orleans.Tests.Joins;

/// <summary>
/// A silo killed mid-join (abruptly: no graceful shutdown, its activations and in-flight calls lost) on a cluster of
/// its own: its pieces are redone on the survivors and the answer is still the single-machine one. Fails if a lost
/// piece is not retried (the join throws or hangs past the test's timeout), if a retried piece is accepted twice or
/// merged at the wrong place (the pairs differ), or if the kill came too late to cost any piece (nothing redone).
/// </summary>
public sealed class SiloFailureTests
{
    [Fact]
    public async Task KillingASiloMidJoin_LosesAndDuplicatesNoPair()
    {
        await using var cluster = await StartGatedAsync();
        using var files = new TempFiles();
        var (images, texts) = Sets(18, 1200, 1500, 48);
        var local = new ApproximateFiberProduct(images, texts);
        double epsilon = 8.0;
        var expectedPairs = local.Pairs(epsilon);
        Assert.InRange(expectedPairs.PairCount, 1_000, 200_000);
        var options = new DistributedJoinOptions
        {
            ImageBlockRows = 40, TextShardRows = 250, RetryDelay = TimeSpan.FromMilliseconds(100),
            Lease = TimeSpan.FromSeconds(2),
            Join = new FiberProductOptions { MaxDegreeOfParallelism = 1 },
        };
        var distributed = new DistributedFiberProduct(cluster.Client, files.Write(images), files.Write(texts),
            options: options);

        // Pairs: the silo that holds the most shards dies once a tenth of the pieces are in.
        var (pairs, killed) = await WithKill(cluster, 0.1, p => distributed.PairsAsync(epsilon, p));
        var report = distributed.LastReport!;
        Assert.True(Same.Pairs(expectedPairs, pairs), "pairs after a silo died");
        Assert.True(report.Redone > 0, $"the kill of {killed} cost no piece: {report}");

        // Top-k within ε, on the two survivors, another one dying: one silo finishes the join.
        var expectedNearest = local.NearestWithin(epsilon, 3);
        var (nearest, _) = await WithKill(cluster, 0.1, p => distributed.NearestWithinAsync(epsilon, 3, p));
        Assert.True(Same.Pairs(expectedNearest, nearest), "top-k after a second silo died");
        Assert.True(distributed.LastReport!.Redone > 0, $"the second kill cost no piece: {distributed.LastReport}");
        Assert.Equal(local.Count(epsilon), await distributed.CountAsync(epsilon));
    }

    [Fact]
    public async Task KillingASiloWhileShardsAreWritten_LeavesEachBlockPairOnce_AndTheUnionIsTheLocalJoin()
    {
        await using var cluster = await StartGatedAsync();
        using var files = new TempFiles();
        var (images, texts) = Sets(19, 900, 1000, 32);
        var expected = new ApproximateFiberProduct(images, texts).Pairs(6.5);
        Assert.InRange(expected.PairCount, 1_000, 200_000);
        var distributed = new DistributedFiberProduct(cluster.Client, files.Write(images), files.Write(texts),
            options: new DistributedJoinOptions
            {
                ImageBlockRows = 30, TextShardRows = 200, RetryDelay = TimeSpan.FromMilliseconds(100),
                Lease = TimeSpan.FromSeconds(2), Join = new FiberProductOptions { MaxDegreeOfParallelism = 1 },
            });
        string folder = files.PathOf("pairs");

        var (written, killed) = await WithKill(cluster, 0.1, p => distributed.PairsToShardsAsync(6.5, folder, p));
        var report = distributed.LastReport!;
        Assert.True(report.Redone > 0, $"the kill of {killed} cost no piece: {report}");
        Assert.Equal(expected.PairCount, written);
        var manifest = ShardManifest.Read(folder);
        Assert.True(manifest.IsComplete);
        Assert.Equal(30 * 5, manifest.Shards.Count);
        Assert.Equal(manifest.Shards.Count, manifest.Shards.Select(s => s.File).Distinct().Count());
        Assert.Equal(manifest.Shards.Count, Directory.EnumerateFiles(folder, "pairs-*.npz").Count());
        Assert.True(Same.Pairs(expected, manifest.ReadPairs()), "the union of the shards after a silo died");
    }

    /// <summary>Three silos whose pieces pass <see cref="Gate"/>.</summary>
    private static Task<InProcessTestCluster> StartGatedAsync() =>
        TestClusters.StartAsync(3, silo => silo.AddIncomingGrainCallFilter(async call =>
        {
            if (call.InterfaceMethod?.Name == nameof(ITextShardGrain.Join)) await Gate.WaitAsync();
            await call.Invoke();
        }));

    /// <summary>
    /// Holds new pieces at the silos' door while a silo is being killed, so that the kill lands mid-join however fast
    /// the join runs and however slowly the silo dies (the pieces already running go on).
    /// </summary>
    private static readonly Door Gate = new();

    /// <summary>Runs a join and kills the silo holding the most text shards once <paramref name="fraction"/> of its
    /// pieces are accepted; waits for the kill to finish before returning.</summary>
    private static async Task<(T Result, SiloAddress Killed)> WithKill<T>(InProcessTestCluster cluster, double fraction,
        Func<IProgress<double>, Task<T>> join)
    {
        Task<SiloAddress>? kill = null;
        var progress = new Inline(done =>
        {
            if (done >= fraction && kill is null)
                lock (cluster)
                    kill ??= Task.Run(async () =>
                    {
                        Gate.Close();
                        try { return await KillBusiestAsync(cluster); }
                        finally { Gate.Open(); }
                    });
        });
        var result = await join(progress).WaitAsync(TimeSpan.FromMinutes(3));
        Assert.NotNull(kill);
        return (result, await kill);
    }

    private static async Task<SiloAddress> KillBusiestAsync(InProcessTestCluster cluster)
    {
        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        var shards = (await management.GetDetailedGrainStatistics())
            .Where(s => s.GrainType.Contains(nameof(TextShardGrain), StringComparison.OrdinalIgnoreCase));
        var busiest = shards.GroupBy(s => s.SiloAddress).OrderByDescending(g => g.Count()).First().Key;
        var silo = cluster.Silos.Single(s => s.SiloAddress.Equals(busiest));
        await cluster.KillSiloAsync(silo);
        return busiest;
    }

    /// <summary>Gaussian images and texts in R^d.</summary>
    private static (EmbeddingSet Images, EmbeddingSet Texts) Sets(int seed, int images, int texts, int d)
    {
        var random = new Random(seed);
        return (Gaussian(images, d, random), Gaussian(texts, d, random));
    }

    private static EmbeddingSet Gaussian(int count, int d, Random random)
    {
        var values = new float[count * d];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()))
                * Math.Cos(2 * Math.PI * random.NextDouble()));
        return new EmbeddingSet(values, count, d);
    }

    /// <summary>An open-or-closed door that calls wait at.</summary>
    private sealed class Door
    {
        private volatile TaskCompletionSource open = Opened();

        private static TaskCompletionSource Opened()
        {
            var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            source.SetResult();
            return source;
        }

        public Task WaitAsync() => open.Task;

        public void Close() => open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => open.TrySetResult();
    }

    /// <summary>Reports on the thread that accepts a piece (<see cref="Progress{T}"/> would post them later).</summary>
    private sealed class Inline(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
