using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Orleans.Tests.Cluster;
using FiberProduct.OutOfCore;

namespace FiberProduct.Orleans.Tests.Joins;

/// <summary>
/// What the coordinator does with answers that come twice and with errors of the input. Fails if a piece answered
/// twice is merged twice (the pairs differ), if an input error is retried as a runtime failure instead of ending the
/// join with its own exception, or if a bad argument gets past the client.
/// </summary>
public sealed class FailureModesTests(ClusterFixture cluster)
{
    [Fact]
    public async Task ALeaseShorterThanAPiece_SendsItAgain_AndEachPieceIsAcceptedOnce()
    {
        using var files = new TempFiles();
        var random = new Random(5);
        var images = Random(random, 300, 24);
        var texts = Random(random, 400, 24);
        var local = new ApproximateFiberProduct(images, texts);
        var distributed = new DistributedFiberProduct(cluster.Client, files.Write(images), files.Write(texts),
            options: new DistributedJoinOptions
            {
                ImageBlockRows = 100, TextShardRows = 200, Lease = TimeSpan.FromTicks(1), MaxAttempts = 3,
            });
        var pairs = await distributed.PairsAsync(1.2);
        var report = distributed.LastReport!;
        Assert.True(Same.Pairs(local.Pairs(1.2), pairs));
        Assert.Equal(local.Count(1.2), await distributed.CountAsync(1.2));
        Assert.True(report.LeaseExpiries > 0, report.ToString());
        Assert.True(report.DuplicatesIgnored > 0, report.ToString());
    }

    [Fact]
    public async Task AMissingFile_EndsTheJoinWithFileNotFound_WithoutRetrying()
    {
        using var files = new TempFiles();
        var texts = files.Write(new EmbeddingSet(new float[8], 4, 2));
        var distributed = new DistributedFiberProduct(cluster.Client,
            new EmbeddingRange(files.PathOf("absent.npy"), 0, 4), texts);
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => distributed.CountAsync(1));
        Assert.Contains("absent.npy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DifferentDimensions_EndTheJoinWithArgumentException()
    {
        using var files = new TempFiles();
        var distributed = new DistributedFiberProduct(cluster.Client, files.Write(new EmbeddingSet(new float[6], 3, 2)),
            files.Write(new EmbeddingSet(new float[6], 2, 3)));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => distributed.PairsAsync(1));
    }

    [Fact]
    public async Task TheResultBudget_BoundsTheWholeResult()
    {
        using var files = new TempFiles();
        var set = files.Write(new EmbeddingSet(new float[20], 10, 2));
        var distributed = new DistributedFiberProduct(cluster.Client, set, set, options: new DistributedJoinOptions
        {
            ImageBlockRows = 3, TextShardRows = 4, Join = new FiberProductOptions { MaxPairs = 99 },
        });
        var error = await Assert.ThrowsAsync<ResultBudgetExceededException>(() => distributed.PairsAsync(0));
        Assert.Equal(99, error.MaxPairs);
        Assert.Equal(100, await distributed.CountAsync(0));
    }

    [Fact]
    public async Task Shards_AreWrittenOnceByRacingAttempts_AndAFolderWithAManifestOrAPartOfAFile_IsRefused()
    {
        using var files = new TempFiles();
        var random = new Random(6);
        var (images, texts) = (Random(random, 70, 8), Random(random, 50, 8));
        var (imageFile, textFile) = (files.Write(images), files.Write(texts));
        // A lease shorter than a piece: each piece is sent several times, and its attempts write its shard at once.
        var distributed = new DistributedFiberProduct(cluster.Client, imageFile, textFile,
            options: new DistributedJoinOptions
            {
                ImageBlockRows = 20, TextShardRows = 30, Lease = TimeSpan.FromTicks(1), MaxAttempts = 3,
            });
        string folder = files.PathOf("shards");
        long written = await distributed.PairsToShardsAsync(0.9, folder);
        Assert.True(distributed.LastReport!.DuplicatesIgnored > 0, distributed.LastReport.ToString());
        var manifest = ShardManifest.Read(folder);
        Assert.Equal(manifest.Shards.Count, Directory.EnumerateFiles(folder, "pairs-*.npz").Count());
        var expected = new ApproximateFiberProduct(images, texts).Pairs(0.9);
        Assert.Equal(expected.PairCount, written);
        Assert.True(Same.Pairs(expected, manifest.ReadPairs()));
        Assert.Equal((4, 2, 20, 30, 0.9), (manifest.ImageBlocks, manifest.TextBlocks, manifest.ImageBlockRows,
            manifest.TextBlockRows, manifest.Epsilon));

        var again = await Assert.ThrowsAsync<InvalidOperationException>(
            () => distributed.PairsToShardsAsync(1, folder));
        Assert.Contains("manifest.json", again.Message, StringComparison.Ordinal);
        var part = new DistributedFiberProduct(cluster.Client, imageFile.Slice(10, 20), textFile);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => part.PairsToShardsAsync(1, files.PathOf("x")));
        // Orleans carries the message across, not the parameter's name.
        Assert.Contains($"images is {imageFile.Path}[10 … 30)", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => distributed.PairsToShardsAsync(1, ""));
    }

    [Fact]
    public async Task BadArguments_AreRefusedBeforeAnyWork()
    {
        var range = new EmbeddingRange("/nowhere.npy", 0, 1);
        var distributed = new DistributedFiberProduct(cluster.Client, range, range);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => distributed.CountAsync(-1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => distributed.PairsAsync(double.NaN));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => distributed.NearestWithinAsync(1, 0));
        await Assert.ThrowsAsync<ArgumentException>(() => distributed.ProfileAsync([]));
        Assert.Null(distributed.LastReport);
        Assert.Throws<ArgumentNullException>(() => new DistributedFiberProduct(null!, range, range));
        Assert.Equal("ImageBlockRows", Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedFiberProduct(
            cluster.Client, range, range, options: new DistributedJoinOptions { ImageBlockRows = 0 })).ParamName);
        Assert.Equal("Join", Assert.Throws<ArgumentException>(() => new DistributedFiberProduct(cluster.Client, range,
            range, options: new DistributedJoinOptions { Join = new FiberProductOptions { TruncateAtBudget = true } }))
            .ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedFiberProduct(cluster.Client, range, range,
            (FiberMetric)7));
    }

    private static EmbeddingSet Random(Random random, int count, int d) =>
        new(Enumerable.Range(0, count * d).Select(_ => (float)(random.NextDouble() * 0.6)).ToArray(), count, d);
}
