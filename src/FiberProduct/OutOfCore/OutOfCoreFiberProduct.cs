using System.Diagnostics;
using System.Globalization;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber;

namespace FiberProduct.OutOfCore;

/// <summary>
/// F_ε of two embedding sets that stay on disk (<see cref="MappedEmbeddingSet"/>), joined a block pair at a time with
/// the in-memory exact join (<see cref="ApproximateFiberProduct"/>), its pairs written as CSR shards (.npz, readable by
/// <c>scipy.sparse.load_npz</c>) with a JSON manifest (<see cref="ShardManifest"/>). The union of the shards is the
/// in-memory join's pair set, pair for pair and distance for distance.
/// </summary>
/// <remarks>
/// <para>Memory: one text block, prepared once (packed for the kernel) and reused for every image block, one image
/// block, and one block pair's pairs, all within <see cref="OutOfCoreOptions.MemoryLimitBytes"/> by the cost model
/// of docs/scaling.md; the files are read through their mappings, never whole.</para>
/// <para>Crashes: each shard is written under a temporary name, flushed and renamed, and then the manifest likewise,
/// so the manifest lists only whole shards. A join started again on the same folder resumes: it checks that the
/// inputs (sizes and content fingerprints), ε, the metric and the block sizes are those of the manifest, refuses
/// otherwise, and joins only the block pairs the manifest does not list (a shard written but not yet listed is
/// written again), so no pair is lost or counted twice. The manifest is written at least once a second while blocks
/// complete, and when the join ends, is cancelled or fails.</para>
/// <para>One join at a time writes a folder: a second one, in this process or another, fails with an
/// <see cref="IOException"/> while the first runs.</para>
/// </remarks>
/// <example>
/// <code>
/// using var images = MappedEmbeddingSet.Open("images.npy");   // (N, d), float32 or float64, any size
/// using var texts = MappedEmbeddingSet.Open("texts.npy");
/// var product = new OutOfCoreFiberProduct(images, texts, FiberMetric.Euclidean,
///     new OutOfCoreOptions { MemoryLimitBytes = 2L &lt;&lt; 30 });
/// var progress = new Progress&lt;OutOfCoreProgress&gt;(p =&gt;
///     Console.Write($"\r{p.Fraction:P0}, {p.Remaining} left"));
/// ShardManifest manifest = product.Pairs(1.2, "pairs/", progress);   // run it again after a crash: it resumes
/// // Python: scipy.sparse.load_npz("pairs/pairs-00000-00003.npz"), rows from imageStart, columns from textStart
/// </code>
/// </example>
public sealed class OutOfCoreFiberProduct
{
    /// <summary>How often, at most, the manifest is rewritten while blocks complete.</summary>
    private static readonly TimeSpan ManifestInterval = TimeSpan.FromSeconds(1);

    /// <summary>The join of images f(𝒫) and texts g(𝒬) on disk under a metric.</summary>
    /// <param name="images">The images: the rows of the pairs.</param>
    /// <param name="texts">The texts, in the same dimension: the columns of the pairs.</param>
    /// <param name="metric">The distance that defines F_ε (Euclidean by default).</param>
    /// <param name="options">Memory limit, block sizes and threads; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="images"/> or <paramref name="texts"/> is
    /// null.</exception>
    /// <exception cref="ArgumentException">The two sets have different dimensions.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> is not a defined
    /// <see cref="FiberMetric"/>, or an option is out of range, or the given blocks do not fit in the memory limit
    /// (the message says by how much).</exception>
    public OutOfCoreFiberProduct(MappedEmbeddingSet images, MappedEmbeddingSet texts,
        FiberMetric metric = FiberMetric.Euclidean, OutOfCoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        ApproximateFiberProduct.CheckOperands(images.Dimension, texts.Dimension, metric, nameof(texts));
        Options = options ?? new OutOfCoreOptions();
        Options.Validate();
        Images = images;
        Texts = texts;
        Metric = metric;
        // One precision for both sides, as the in-memory join has: a float32 side beside a float64 one is widened.
        Precision = images.Precision == texts.Precision ? images.Precision : EmbeddingPrecision.Float64;
        _ = Plan(Options.ImageBlockRows, Options.TextBlockRows);
    }

    /// <summary>The images (rows of the pairs).</summary>
    public MappedEmbeddingSet Images { get; }

    /// <summary>The texts (columns of the pairs).</summary>
    public MappedEmbeddingSet Texts { get; }

    /// <summary>The distance that defines F_ε.</summary>
    public FiberMetric Metric { get; }

    /// <summary>Memory limit, block sizes and threads.</summary>
    public OutOfCoreOptions Options { get; }

    private EmbeddingPrecision Precision { get; }

    private BlockPlan Plan(int? imageRows, int? textRows) => BlockPlan.Choose(Images.Count, Texts.Count,
        Images.Dimension, Precision, Options.MemoryLimitBytes, imageRows, textRows);

    /// <summary>
    /// F_ε written to <paramref name="directory"/> as CSR shards and a manifest, one block pair at a time; resumes
    /// the join a manifest in the folder records.
    /// </summary>
    /// <param name="epsilon">The tolerance ε ≥ 0, taken exactly; the bound is closed; +∞ selects every pair.</param>
    /// <param name="directory">The folder of the shards and manifest; created if missing. A folder with a manifest
    /// resumes that join.</param>
    /// <param name="progress">Receives, after each block pair, the fraction done and the estimated time left (on the
    /// calling thread). Null: no reports.</param>
    /// <param name="cancellationToken">Checked between block pairs and inside each join; a cancelled join keeps the
    /// block pairs it completed, and resumes from them.</param>
    /// <returns>The complete manifest: <see cref="ShardManifest.ReadPairs"/> gives the pairs.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or NaN.</exception>
    /// <exception cref="InvalidOperationException">The folder's manifest records other inputs, another ε, metric or
    /// block sizes (the message names each difference).</exception>
    /// <exception cref="InvalidDataException">The folder's manifest is malformed, or a shard it lists is
    /// missing.</exception>
    /// <exception cref="ResultBudgetExceededException">One block pair holds more pairs than the memory limit leaves
    /// room for (the message names the block pair; use smaller blocks or a larger limit).</exception>
    /// <exception cref="ArgumentException">A row is NaN or infinite, or (cosine, angular) zero (the message names
    /// the file and row).</exception>
    /// <exception cref="IOException">Another join is writing the folder, or a file cannot be written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ShardManifest Pairs(double epsilon, string directory, IProgress<OutOfCoreProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (!(epsilon >= 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon,
                "A tolerance ε must be a non-negative number (+∞ selects every pair).");
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        using var writer = FolderLock(directory);
        var images = ShardInput.Of(Images, cancellationToken);
        var texts = ShardInput.Of(Texts, cancellationToken);
        var manifest = Resume(directory, images, texts, epsilon) ?? Start(directory, images, texts, epsilon);
        foreach (var leftover in Directory.EnumerateFiles(directory, "*" + Durable.TemporarySuffix))
            File.Delete(leftover);

        var plan = Plan(manifest.ImageBlockRows, manifest.TextBlockRows);
        var done = manifest.Shards.Select(s => (s.ImageBlock, s.TextBlock)).ToHashSet();
        double total = (double)Images.Count * Texts.Count;
        double Area(PairShard s) => (double)s.ImageRows * s.TextRows;
        double fraction = total == 0 ? 0 : manifest.Shards.Sum(Area) / total;
        long blocks = (long)manifest.ImageBlocks * manifest.TextBlocks;
        var clock = progress is null ? null : new ProgressClock(progress, blocks, fraction)
        {
            Done = (manifest.Shards.Count, manifest.PairCount),
        };
        var scope = new ExecutionScope(Options.MaxDegreeOfParallelism, clock, cancellationToken);
        var sinceWrite = Stopwatch.StartNew();
        bool unwritten = false;
        try
        {
            for (int b = 0; b < manifest.TextBlocks; b++)
            {
                if (Enumerable.Range(0, manifest.ImageBlocks).All(a => done.Contains((a, b)))) continue;
                scope.ThrowIfCancelled();
                var textRecord = manifest.Shard(0, b, 0);
                var textBlock = Block(Texts, textRecord.TextStart, textRecord.TextRows);
                // The texts are the prepared side; a query reuses their packing for every image block.
                var product = new ApproximateFiberProduct(textBlock, textBlock, Metric,
                    Options.Join(plan.MaxPairsPerBlock));
                for (int a = 0; a < manifest.ImageBlocks; a++)
                {
                    if (done.Contains((a, b))) continue;
                    scope.ThrowIfCancelled();
                    var record = manifest.Shard(a, b, 0);
                    var pairs = Join(product, Block(Images, record.ImageStart, record.ImageRows), epsilon, record,
                        plan.MaxPairsPerBlock, cancellationToken);
                    var shard = record with { Pairs = pairs.PairCount };
                    ShardManifest.WriteShard(manifest.PathOf(shard.File), pairs, shard);
                    manifest.Add(shard);
                    unwritten = true;
                    if (sinceWrite.Elapsed >= ManifestInterval)
                    {
                        manifest.Write();
                        (unwritten, sinceWrite) = (false, Stopwatch.StartNew());
                    }
                    fraction += total == 0 ? 0 : Area(shard) / total;
                    if (clock is not null) clock.Done = (manifest.Shards.Count, manifest.PairCount);
                    scope.Report(fraction);
                }
            }
            manifest.Complete();
            unwritten = true;
        }
        finally
        {
            // Whatever stopped the loop, the blocks completed so far are kept for the resume.
            if (unwritten) manifest.Write();
        }
        scope.Report(1);
        return manifest;
    }

    /// <summary>Rows of a set as an in-memory block in the join's one precision.</summary>
    private EmbeddingSet Block(MappedEmbeddingSet set, int start, int count)
    {
        var block = set.Load(start, count);
        return block.Precision == Precision ? block : block.ToDouble();
    }

    private PairSet Join(ApproximateFiberProduct product, EmbeddingSet images, double epsilon, PairShard record,
        long maxPairs, CancellationToken token)
    {
        try
        {
            return product.Query(images, epsilon, token);
        }
        catch (ResultBudgetExceededException e)
        {
            throw new ResultBudgetExceededException(string.Create(CultureInfo.InvariantCulture,
                $"Block pair ({record.ImageBlock}, {record.TextBlock}) — images {record.ImageStart} … "
                + $"{record.ImageStart + record.ImageRows - 1}, texts {record.TextStart} … "
                + $"{record.TextStart + record.TextRows - 1} — has more than {maxPairs} pairs, what the memory limit "
                + $"({Options.MemoryLimitBytes} bytes) leaves room for; use smaller blocks, a larger "
                + $"OutOfCoreOptions.MemoryLimitBytes or a smaller ε."), e);
        }
    }

    /// <summary>The manifest of the folder when it has one, checked against this join; null for a new folder.</summary>
    private ShardManifest? Resume(string directory, ShardInput images, ShardInput texts, double epsilon)
    {
        if (!File.Exists(Path.Combine(directory, ShardManifest.FileName))) return null;
        var manifest = ShardManifest.Read(directory);
        var differences = new List<string>();
        if (!manifest.Images.SameContent(images))
            differences.Add($"images {manifest.Images.Describe()}, not {images.Describe()}");
        if (!manifest.Texts.SameContent(texts))
            differences.Add($"texts {manifest.Texts.Describe()}, not {texts.Describe()}");
        if (BitConverter.DoubleToInt64Bits(manifest.Epsilon) != BitConverter.DoubleToInt64Bits(epsilon))
            differences.Add(string.Create(CultureInfo.InvariantCulture, $"ε = {manifest.Epsilon:R}, not {epsilon:R}"));
        if (manifest.Metric != Metric) differences.Add($"metric {manifest.Metric}, not {Metric}");
        if (Options.ImageBlockRows is int i && i != manifest.ImageBlockRows)
            differences.Add(string.Create(CultureInfo.InvariantCulture,
                $"{manifest.ImageBlockRows} image rows per block, not {i}"));
        if (Options.TextBlockRows is int t && t != manifest.TextBlockRows)
            differences.Add(string.Create(CultureInfo.InvariantCulture,
                $"{manifest.TextBlockRows} text rows per block, not {t}"));
        if (differences.Count > 0)
            throw new InvalidOperationException($"'{Path.Combine(directory, ShardManifest.FileName)}' records another "
                + $"join: {string.Join("; ", differences)}. Resume it with its own inputs and parameters, or write "
                + "this join to another folder.");
        foreach (var shard in manifest.Shards)
            if (!File.Exists(manifest.PathOf(shard.File)))
                throw new InvalidDataException($"'{manifest.PathOf(shard.File)}': the manifest lists this shard, but "
                    + "it is missing; the folder cannot be resumed (write the join to a new folder).");
        return manifest;
    }

    private ShardManifest Start(string directory, ShardInput images, ShardInput texts, double epsilon)
    {
        var plan = Plan(Options.ImageBlockRows, Options.TextBlockRows);
        var manifest = new ShardManifest(directory, images, texts, epsilon, Metric, plan.ImageBlockRows,
            plan.TextBlockRows, [], complete: false);
        manifest.Write();
        return manifest;
    }

    /// <summary>Holds the folder for this join: the file is locked against other writers (an advisory lock on Unix,
    /// which every .NET process takes the same way) and released when the process ends, however it ends.</summary>
    private static FileStream FolderLock(string directory)
    {
        string path = Path.Combine(directory, ".lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"'{directory}': another join is writing this folder ({e.Message}).", e);
        }
    }
}
