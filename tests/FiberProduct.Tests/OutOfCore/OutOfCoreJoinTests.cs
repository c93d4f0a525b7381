using System.Text.Json.Nodes;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.IO;
using FiberProduct.OutOfCore;

namespace FiberProduct.Tests.OutOfCore;

/// <summary>
/// The block join in this process: a cancelled join resumes from its manifest and gives the in-memory pairs; a
/// shard written but not listed is redone, not counted twice; progress rises to 1 with a time left; and a folder
/// that records another join, a malformed manifest, a missing or altered shard are refused with messages naming them.
/// </summary>
public sealed class OutOfCoreJoinTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fiberproduct-join-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string File(string name) => Path.Combine(folder, name);

    /// <summary>Reports on the calling thread, at once (<see cref="Progress{T}"/> would post to the pool).</summary>
    private sealed class Recorder(Action<OutOfCoreProgress>? then = null) : IProgress<OutOfCoreProgress>
    {
        public List<OutOfCoreProgress> Reports { get; } = [];

        public void Report(OutOfCoreProgress value)
        {
            Reports.Add(value);
            then?.Invoke(value);
        }
    }

    /// <summary>Images and texts on a coarse grid (many ties), float32 images and float64 texts by default.</summary>
    private (EmbeddingSet Images, EmbeddingSet Texts) Write(int n, int m, int d, int seed, bool wideTexts = true)
    {
        var random = new Random(seed);
        var x = Enumerable.Range(0, n * d).Select(_ => (float)(random.Next(7) - 3) / 4).ToArray();
        var y = Enumerable.Range(0, m * d).Select(_ => (random.Next(7) - 3) / 4.0).ToArray();
        var images = new EmbeddingSet(x, n, d);
        var texts = wideTexts ? new EmbeddingSet(y, m, d) : new EmbeddingSet(y.Select(v => (float)v).ToArray(), m, d);
        Npy.Write(File("images.npy"), images.ToArray());
        Npy.Write(File("texts.npy"), texts.ToArray());
        return (images, texts);
    }

    private static OutOfCoreOptions Blocks(int imageRows, int textRows) =>
        new() { ImageBlockRows = imageRows, TextBlockRows = textRows, MaxDegreeOfParallelism = 1 };

    [Fact]
    public void ACancelledJoin_Resumes_WithNoPairLostOrCountedTwice()
    {
        var (images, texts) = Write(70, 55, 6, seed: 1);
        var expected = new ApproximateFiberProduct(images, texts).Pairs(1.5);
        using var mappedImages = MappedEmbeddingSet.Open(File("images.npy"));
        using var mappedTexts = MappedEmbeddingSet.Open(File("texts.npy"));
        var product = new OutOfCoreFiberProduct(mappedImages, mappedTexts, FiberMetric.Euclidean, Blocks(16, 12));
        using var cancel = new CancellationTokenSource();
        var first = new Recorder(p => { if (p.CompletedBlocks == 7) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => product.Pairs(1.5, File("shards"), first, cancel.Token));

        var interrupted = ShardManifest.Read(File("shards"));
        Assert.False(interrupted.IsComplete);
        Assert.Equal(7, interrupted.Shards.Count);
        Assert.Equal((5, 5), (interrupted.ImageBlocks, interrupted.TextBlocks));
        Assert.Throws<InvalidOperationException>(() => interrupted.ReadPairs());

        var second = new Recorder();
        var manifest = product.Pairs(1.5, File("shards"), second);
        // The resumed run joins only the 18 block pairs the manifest did not list, and counts from 7.
        Assert.Equal(Enumerable.Range(8, 18).Select(b => (long)b),
            second.Reports.Select(r => r.CompletedBlocks).Distinct());
        Assert.True(manifest.IsComplete);
        Assert.Equal(25, manifest.Shards.Select(s => (s.ImageBlock, s.TextBlock)).Distinct().Count());
        Assert.True(OutOfCoreJoinProperties.SamePairs(expected, manifest.ReadPairs()));
        Assert.Equal(expected.PairCount, ShardManifest.Read(File("shards")).PairCount);
    }

    [Fact]
    public void AShardWrittenButNotListed_IsJoinedAgain_AndLeftoversAreRemoved()
    {
        var (images, texts) = Write(40, 33, 5, seed: 2);
        var expected = new ApproximateFiberProduct(images, texts).Pairs(1.25);
        using var mappedImages = MappedEmbeddingSet.Open(File("images.npy"));
        using var mappedTexts = MappedEmbeddingSet.Open(File("texts.npy"));
        var product = new OutOfCoreFiberProduct(mappedImages, mappedTexts, FiberMetric.Euclidean, Blocks(9, 10));
        product.Pairs(1.25, File("shards"));

        // A crash after a shard's rename and before the manifest's: the manifest lists fewer blocks than the folder
        // holds, and a temporary file is left over.
        string path = Path.Combine(File("shards"), ShardManifest.FileName);
        var json = JsonNode.Parse(System.IO.File.ReadAllText(path))!;
        var blocks = json["blocks"]!.AsArray();
        for (int k = 0; k < 6; k++) blocks.RemoveAt(blocks.Count - 1);
        json["complete"] = false;
        System.IO.File.WriteAllText(path, json.ToJsonString());
        System.IO.File.WriteAllText(Path.Combine(File("shards"), "pairs-00000-00000.npz.partial"), "torn");

        var recorder = new Recorder();
        var manifest = product.Pairs(1.25, File("shards"), recorder);
        Assert.Equal(6, recorder.Reports.Select(r => r.CompletedBlocks).Distinct().Count());
        Assert.True(OutOfCoreJoinProperties.SamePairs(expected, manifest.ReadPairs()));
        Assert.Empty(Directory.EnumerateFiles(File("shards"), "*.partial"));
    }

    [Fact]
    public void Progress_Rises_ToOne_WithTheTimeLeft()
    {
        Write(30, 30, 4, seed: 3);
        using var images = MappedEmbeddingSet.Open(File("images.npy"));
        using var texts = MappedEmbeddingSet.Open(File("texts.npy"));
        var recorder = new Recorder();
        new OutOfCoreFiberProduct(images, texts, FiberMetric.Euclidean, Blocks(7, 11))
            .Pairs(1, File("shards"), recorder);
        var fractions = recorder.Reports.Select(r => r.Fraction).ToList();
        Assert.Equal(fractions.Order(), fractions);
        Assert.Equal(fractions.Distinct().Count(), fractions.Count);
        Assert.Equal(1, fractions[^1]);
        Assert.All(recorder.Reports, r => Assert.Equal(15, r.TotalBlocks));
        Assert.All(recorder.Reports, r => Assert.NotNull(r.Remaining));
        Assert.Equal(TimeSpan.Zero, recorder.Reports[^1].Remaining);
        Assert.Equal(15, recorder.Reports[^1].CompletedBlocks);
    }

    [Fact]
    public void APairedFile_JoinsItsTwoHalves()
    {
        var (images, texts) = Write(25, 25, 8, seed: 4, wideTexts: false);
        var values = images.Values.ToArray().Concat(texts.Values.ToArray()).ToArray();
        Npy.Write(File("paired.npy"), new NpyArray(values, 2, 25, 8));
        var (mappedImages, mappedTexts) = MappedEmbeddingSet.OpenPaired(File("paired.npy"));
        using (mappedImages)
        using (mappedTexts)
        {
            var manifest = new OutOfCoreFiberProduct(mappedImages, mappedTexts, FiberMetric.Cosine, Blocks(6, 25))
                .Pairs(0.4, File("shards"));
            var expected = new ApproximateFiberProduct(images, texts, FiberMetric.Cosine).Pairs(0.4);
            Assert.True(OutOfCoreJoinProperties.SamePairs(expected, manifest.ReadPairs()));
            Assert.NotEqual(manifest.Images.Fingerprint, manifest.Texts.Fingerprint);
        }
    }

    [Fact]
    public void AFolderOfAnotherJoin_IsRefused_NamingEachDifference()
    {
        Write(20, 20, 4, seed: 5);
        using var images = MappedEmbeddingSet.Open(File("images.npy"));
        using var texts = MappedEmbeddingSet.Open(File("texts.npy"));
        new OutOfCoreFiberProduct(images, texts, FiberMetric.Euclidean, Blocks(8, 8)).Pairs(1, File("shards"));

        // Other texts: the same shape and dtype, one value changed.
        var other = texts.Load(0, 20).DoubleValues.ToArray();
        other[17] += 1;
        Npy.Write(File("other.npy"), new NpyArray(other, 20, 4));
        using var otherTexts = MappedEmbeddingSet.Open(File("other.npy"));
        var error = Assert.Throws<InvalidOperationException>(() =>
            new OutOfCoreFiberProduct(images, otherTexts, FiberMetric.Euclidean, Blocks(8, 8))
                .Pairs(1, File("shards")));
        Assert.Contains(texts.Fingerprint(), error.Message, StringComparison.Ordinal);
        Assert.Contains(otherTexts.Fingerprint(), error.Message, StringComparison.Ordinal);
        Assert.Contains(ShardManifest.FileName, error.Message, StringComparison.Ordinal);

        error = Assert.Throws<InvalidOperationException>(() => new OutOfCoreFiberProduct(images, texts,
            FiberMetric.Cosine, Blocks(8, 9)).Pairs(Math.BitIncrement(1.0), File("shards")));
        Assert.Contains("ε = 1, not 1.0000000000000002", error.Message, StringComparison.Ordinal);
        Assert.Contains("metric Euclidean, not Cosine", error.Message, StringComparison.Ordinal);
        Assert.Contains("8 text rows per block, not 9", error.Message, StringComparison.Ordinal);

        // Images and texts swapped: the same files, the other roles.
        Assert.Throws<InvalidOperationException>(() =>
            new OutOfCoreFiberProduct(texts, images, FiberMetric.Euclidean, Blocks(8, 8)).Pairs(1, File("shards")));

        // Block sizes left open take the manifest's, whatever the memory limit would choose.
        var resumed = new OutOfCoreFiberProduct(images, texts).Pairs(1, File("shards"));
        Assert.Equal((8, 8), (resumed.ImageBlockRows, resumed.TextBlockRows));
    }

    [Fact]
    public void AMalformedManifest_OrAMissingOrAlteredShard_IsInvalidData_NamingTheFile()
    {
        Write(20, 20, 4, seed: 6);
        using var images = MappedEmbeddingSet.Open(File("images.npy"));
        using var texts = MappedEmbeddingSet.Open(File("texts.npy"));
        var product = new OutOfCoreFiberProduct(images, texts, FiberMetric.Euclidean, Blocks(8, 8));
        var manifest = product.Pairs(2, File("shards"));
        string path = Path.Combine(File("shards"), ShardManifest.FileName);
        string good = System.IO.File.ReadAllText(path);

        foreach (var (bad, says) in new[]
        {
            ("{", "not a JSON manifest"),
            (good.Replace("\"Euclidean\"", "\"Manhattan\"", StringComparison.Ordinal), "'metric'"),
            (good.Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal), "version 1"),
            (good.Replace("\"textBlockRows\": 8", "\"textBlockRows\": 0", StringComparison.Ordinal), "'textBlockRows'"),
            (good.Replace("pairs-00000-00001.npz", "../x.npz", StringComparison.Ordinal), "names the file '../x.npz'"),
        })
        {
            System.IO.File.WriteAllText(path, bad);
            var error = Assert.Throws<InvalidDataException>(() => product.Pairs(2, File("shards")));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains(says, error.Message, StringComparison.Ordinal);
        }
        System.IO.File.WriteAllText(path, good);

        string shard = Path.Combine(File("shards"), manifest.Shards[3].File);
        var bytes = System.IO.File.ReadAllBytes(shard);
        System.IO.File.Delete(shard);
        var missing = Assert.Throws<InvalidDataException>(() => product.Pairs(2, File("shards")));
        Assert.Contains(shard, missing.Message, StringComparison.Ordinal);

        // A shard from another block: its shape disagrees with the manifest's record.
        var corner = manifest.Shards.Single(s => s.ImageRows == 4 && s.TextRows == 4);
        System.IO.File.Copy(Path.Combine(File("shards"), corner.File), shard);
        var altered = Assert.Throws<InvalidDataException>(() => ShardManifest.Read(File("shards")).ReadPairs());
        Assert.Contains(shard, altered.Message, StringComparison.Ordinal);
        System.IO.File.WriteAllBytes(shard, bytes);
        Assert.Equal(manifest.PairCount, ShardManifest.Read(File("shards")).ReadPairs().PairCount);
    }

    [Fact]
    public void ABlockPairBeyondTheMemoryLimit_IsRefused_NamingIt_AndAFolderInUseToo()
    {
        Write(40, 40, 4, seed: 7);
        using var images = MappedEmbeddingSet.Open(File("images.npy"));
        using var texts = MappedEmbeddingSet.Open(File("texts.npy"));
        // Room for 20 × 20 rows and 100 pairs: every block pair has 400 at ε = ∞.
        long limit = 40 * BlockPlan.RowBytes(4, EmbeddingPrecision.Float64) + 100 * BlockPlan.PairBytes;
        var product = new OutOfCoreFiberProduct(images, texts, FiberMetric.Euclidean,
            new OutOfCoreOptions { MemoryLimitBytes = limit, ImageBlockRows = 20, TextBlockRows = 20 });
        var error = Assert.Throws<ResultBudgetExceededException>(() =>
            product.Pairs(double.PositiveInfinity, File("a")));
        Assert.Contains("Block pair (0, 0) — images 0 … 19, texts 0 … 19 — has more than 100 pairs", error.Message,
            StringComparison.Ordinal);
        // 80 rows of blocks where the limit holds 70: refused before anything is joined.
        var tight = new OutOfCoreOptions
        {
            MemoryLimitBytes = 70 * BlockPlan.RowBytes(4, EmbeddingPrecision.Float64),
            ImageBlockRows = 40,
            TextBlockRows = 40,
        };
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new OutOfCoreFiberProduct(images, texts, FiberMetric.Euclidean, tight));
        Assert.Contains("Blocks of 40 image rows and 40 text rows take 10240 bytes", refused.Message,
            StringComparison.Ordinal);

        Directory.CreateDirectory(File("b"));
        using (new FileStream(Path.Combine(File("b"), ".lock"), FileMode.Create, FileAccess.ReadWrite, FileShare.None))
        {
            var busy = Assert.Throws<IOException>(() => new OutOfCoreFiberProduct(images, texts).Pairs(1, File("b")));
            Assert.Contains("another join is writing this folder", busy.Message, StringComparison.Ordinal);
        }
        Assert.True(new OutOfCoreFiberProduct(images, texts).Pairs(1, File("b")).IsComplete);
    }

    [Fact]
    public void NoRows_GiveACompleteEmptyJoin()
    {
        Npy.Write(File("none.npy"), new NpyArray(Array.Empty<float>(), 0, 3));
        Npy.Write(File("some.npy"), new NpyArray(new float[] { 1, 2, 3 }, 1, 3));
        using var none = MappedEmbeddingSet.Open(File("none.npy"));
        using var some = MappedEmbeddingSet.Open(File("some.npy"));
        var manifest = new OutOfCoreFiberProduct(none, some).Pairs(1, File("shards"));
        Assert.True(manifest.IsComplete);
        Assert.Equal((0, 1, 0L), (manifest.ReadPairs().RowCount, manifest.ReadPairs().ColumnCount, manifest.PairCount));
        Assert.Equal(1, new OutOfCoreFiberProduct(some, some).Pairs(0, File("self")).ReadPairs().PairCount);
    }
}
