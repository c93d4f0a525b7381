using System.Globalization;
using FiberProduct.Fiber;
using FiberProduct.Orleans.Coordination;
using FiberProduct.Orleans.Grains;
using FiberProduct.Orleans.Merging;
using FiberProduct.Orleans.Protocol;
using FiberProduct.OutOfCore;

namespace FiberProduct.Orleans;

/// <summary>
/// The ε-approximate fiber product F_ε = {(i, j) : ‖f_i − g_j‖ ≤ ε} of two embedding sets on files, computed across
/// an Orleans cluster: the silos hold shards of the texts, loaded by path and row range from storage they all read,
/// and join the image blocks handed to them. Every answer equals the single-machine
/// <see cref="ApproximateFiberProduct"/>'s on the same rows, pair for pair and distance for distance, also when a
/// silo dies mid-join.
/// </summary>
/// <remarks>
/// <para>This object is the coordinator and lives in the client (or a silo) that asks: it cuts the join into image
/// blocks × text shards (<see cref="DistributedJoinOptions"/>), leases each piece to the grain of its shard, retries
/// pieces whose silo died or whose lease ran out, accepts each piece's result once, and merges them. Silos need only
/// reference this package: its grains are found by Orleans' usual assembly scan.</para>
/// <para>Exact because the core decides every pair, and computes its reported distance, from its two rows alone
/// (docs/concepts.md, "Exactness"): block results compose. Top-k merges with the core's tie rule (distance, then the
/// lower text index).</para>
/// <para>Bytes on the wire per piece: the two ranges (paths and numbers) and the query out, the piece's result back
/// (8 bytes for a count, 12 per pair). The rows themselves are read by the silos from storage.</para>
/// </remarks>
/// <example>
/// <code>
/// using var host = Host.CreateDefaultBuilder().UseOrleansClient(c => c.UseLocalhostClustering()).Build();
/// await host.StartAsync();
/// var fiber = new DistributedFiberProduct(host.Services.GetRequiredService&lt;IClusterClient&gt;(),
///     EmbeddingRange.WholeFile("/shared/images.npy"), EmbeddingRange.WholeFile("/shared/texts.npy"));
/// long size = await fiber.CountAsync(1.2);
/// PairSet pairs = await fiber.PairsAsync(1.2);
/// </code>
/// </example>
public sealed class DistributedFiberProduct
{
    private readonly IGrainFactory grains;

    /// <summary>Prepares a distributed join; nothing is read or sent until a query runs.</summary>
    /// <param name="grains">The cluster: an <see cref="IClusterClient"/>, or a grain's or silo's
    /// <see cref="IGrainFactory"/>.</param>
    /// <param name="images">The images f_i, the rows of every pair set: row i of the result is row
    /// <c>images.Start + i</c> of the file.</param>
    /// <param name="texts">The texts g_j, the columns: column j is row <c>texts.Start + j</c> of its file.</param>
    /// <param name="metric">The distance that defines F_ε (Euclidean by default).</param>
    /// <param name="options">How the join is cut and retried; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="grains"/>, <paramref name="images"/> or
    /// <paramref name="texts"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> is not a defined
    /// <see cref="FiberMetric"/>, or an option is out of range (named in the message).</exception>
    /// <exception cref="ArgumentException"><see cref="FiberProductOptions.TruncateAtBudget"/> is set.</exception>
    public DistributedFiberProduct(IGrainFactory grains, EmbeddingRange images, EmbeddingRange texts,
        FiberMetric metric = FiberMetric.Euclidean, DistributedJoinOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        if (!Enum.IsDefined(metric)) throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric.");
        Options = options ?? new DistributedJoinOptions();
        Options.Validate();
        this.grains = grains;
        Images = images;
        Texts = texts;
        Metric = metric;
    }

    /// <summary>The images (rows of the pair sets).</summary>
    public EmbeddingRange Images { get; }

    /// <summary>The texts (columns of the pair sets).</summary>
    public EmbeddingRange Texts { get; }

    /// <summary>The distance that defines F_ε.</summary>
    public FiberMetric Metric { get; }

    /// <summary>How the join is cut and retried.</summary>
    public DistributedJoinOptions Options { get; }

    /// <summary>What the last completed query did (null before the first).</summary>
    public DistributedJoinReport? LastReport { get; private set; }

    /// <summary>|F_ε|, the number of pairs within ε, summed over the silos' pieces.</summary>
    /// <param name="epsilon">The tolerance ε ≥ 0, taken exactly; the bound is closed; +∞ counts every pair.</param>
    /// <param name="progress">Receives the fraction of pieces done, in (0, 1], from the coordinator's threads.</param>
    /// <param name="cancellationToken">Stops handing out pieces and cancels the running ones.</param>
    /// <returns>Exactly <see cref="ApproximateFiberProduct.Count"/> of the same rows.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or NaN.</exception>
    /// <exception cref="FileNotFoundException">A silo cannot find a file.</exception>
    /// <exception cref="InvalidDataException">A file is not a 2-D float32/float64 .npy array, or a range passes its
    /// end; the message names the file.</exception>
    /// <exception cref="ArgumentException">The two files' dimensions differ.</exception>
    /// <exception cref="TimeoutException">A piece failed <see cref="DistributedJoinOptions.MaxAttempts"/>
    /// times.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<long> CountAsync(double epsilon, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        CheckEpsilon(epsilon, nameof(epsilon));
        var (_, results) = await Run(Query(QueryKind.Count, epsilon), progress, cancellationToken)
            .ConfigureAwait(false);
        return ResultMerger.Count(results);
    }

    /// <summary>F_ε as one pair set, rows and columns in increasing order, with the core's float64 distances.</summary>
    /// <param name="epsilon">The tolerance ε ≥ 0, taken exactly; the bound is closed; +∞ selects every pair.</param>
    /// <param name="progress">Receives the fraction of pieces done, in (0, 1], from the coordinator's threads.</param>
    /// <param name="cancellationToken">Stops handing out pieces and cancels the running ones.</param>
    /// <returns>Exactly <see cref="ApproximateFiberProduct.Pairs"/> of the same rows: the same pairs and
    /// distances.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or NaN.</exception>
    /// <exception cref="ResultBudgetExceededException">More pairs than the budget
    /// (<see cref="FiberProductOptions.MaxPairs"/> of <see cref="DistributedJoinOptions.Join"/>).</exception>
    /// <exception cref="FileNotFoundException">A silo cannot find a file.</exception>
    /// <exception cref="InvalidDataException">A file is not a 2-D float32/float64 .npy array, or a range passes its
    /// end; the message names the file.</exception>
    /// <exception cref="ArgumentException">The two files' dimensions differ.</exception>
    /// <exception cref="TimeoutException">A piece failed <see cref="DistributedJoinOptions.MaxAttempts"/>
    /// times.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<PairSet> PairsAsync(double epsilon, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        CheckEpsilon(epsilon, nameof(epsilon));
        var (plan, results) = await Run(Query(QueryKind.Pairs, epsilon), progress, cancellationToken)
            .ConfigureAwait(false);
        return ResultMerger.Pairs(plan, Images.Count, Texts.Count, results, Metric, Options.Join.MaxPairs,
            keepPerRow: 0);
    }

    /// <summary>
    /// F_ε written by the silos as CSR shards (.npz) with a manifest, in the out-of-core join's format
    /// (<see cref="ShardManifest"/>): the pairs never travel to, nor gather in, one machine.
    /// </summary>
    /// <remarks>
    /// <para>Each piece (image block a × text shard b) writes its pairs to <c>pairs-AAAAA-BBBBB.npz</c> in
    /// <paramref name="directory"/>, replaced whole (a temporary file of its own, flushed, then renamed), and returns
    /// only their number. A piece redone after a silo died writes the same bytes under the same name, so the folder
    /// holds each block pair once. When every piece is in, a silo writes <see cref="ShardManifest.FileName"/>, listing
    /// every shard with its pair count; <see cref="ShardManifest.ReadPairs"/> (or SciPy) reads the union, which equals
    /// <see cref="ApproximateFiberProduct.Pairs"/> of the same rows.</para>
    /// <para>Memory: a silo holds one piece's pairs at a time; <see cref="FiberProductOptions.MaxPairs"/> of
    /// <see cref="DistributedJoinOptions.Join"/> bounds each piece, not the whole result.</para>
    /// <para>A cancelled or failed join writes no manifest; the shards it wrote stay and may be deleted. A silo that
    /// dies while writing may leave a <c>*.partial</c> file, which no manifest lists.</para>
    /// </remarks>
    /// <param name="epsilon">The tolerance ε ≥ 0, taken exactly; the bound is closed; +∞ selects every pair.</param>
    /// <param name="directory">The folder of the shards, at a path every silo can read and write (created if
    /// missing); it must not hold a manifest yet.</param>
    /// <param name="progress">Receives the fraction of pieces done, in (0, 1], from the coordinator's threads.</param>
    /// <param name="cancellationToken">Stops handing out pieces and cancels the running ones.</param>
    /// <returns>The number of pairs written, |F_ε|.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or NaN.</exception>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is null or empty; an input is not a whole file
    /// (<see cref="EmbeddingRange.WholeFile"/>: the manifest records whole files); or the two files' dimensions
    /// differ.</exception>
    /// <exception cref="InvalidOperationException">The folder already holds a manifest.</exception>
    /// <exception cref="ResultBudgetExceededException">A piece has more pairs than the budget.</exception>
    /// <exception cref="FileNotFoundException">A silo cannot find a file.</exception>
    /// <exception cref="InvalidDataException">A file is not a 2-D float32/float64 .npy array, or a range passes its
    /// end; the message names the file.</exception>
    /// <exception cref="IOException">A silo cannot write to the folder.</exception>
    /// <exception cref="TimeoutException">A piece failed <see cref="DistributedJoinOptions.MaxAttempts"/>
    /// times.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <example>
    /// <code>
    /// long written = await fiber.PairsToShardsAsync(1.2, "/shared/pairs/");
    /// PairSet all = ShardManifest.Read("/shared/pairs/").ReadPairs();   // where the folder is visible and fits
    /// </code>
    /// </example>
    public async Task<long> PairsToShardsAsync(double epsilon, string directory, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        CheckEpsilon(epsilon, nameof(epsilon));
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var folder = grains.GetGrain<IPairFolderGrain>(directory);
        await folder.Begin(Images, Texts).WaitAsync(cancellationToken).ConfigureAwait(false);
        var (_, results) = await Run(Query(QueryKind.Pairs, epsilon), progress, cancellationToken, directory)
            .ConfigureAwait(false);
        var pairs = results.Select(r => r.Count).ToArray();
        await folder.Finish(Images, Texts, epsilon, Metric, Options.ImageBlockRows, Options.TextShardRows, pairs,
            cancellationToken).ConfigureAwait(false);
        return pairs.Sum();
    }

    /// <summary>For each image, its <paramref name="k"/> nearest texts within ε (ties: the lower text index), stored by
    /// increasing text index.</summary>
    /// <param name="epsilon">The tolerance ε ≥ 0, taken exactly; the bound is closed.</param>
    /// <param name="k">The most texts kept per image, at least 1.</param>
    /// <param name="progress">Receives the fraction of pieces done, in (0, 1], from the coordinator's threads.</param>
    /// <param name="cancellationToken">Stops handing out pieces and cancels the running ones.</param>
    /// <returns>Exactly <see cref="ApproximateFiberProduct.NearestWithin"/> of the same rows.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1, or ε is negative or
    /// NaN.</exception>
    /// <exception cref="ResultBudgetExceededException">More kept pairs than the budget.</exception>
    /// <exception cref="FileNotFoundException">A silo cannot find a file.</exception>
    /// <exception cref="InvalidDataException">A file is not a 2-D float32/float64 .npy array, or a range passes its
    /// end; the message names the file.</exception>
    /// <exception cref="ArgumentException">The two files' dimensions differ.</exception>
    /// <exception cref="TimeoutException">A piece failed <see cref="DistributedJoinOptions.MaxAttempts"/>
    /// times.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<PairSet> NearestWithinAsync(double epsilon, int k, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        CheckEpsilon(epsilon, nameof(epsilon));
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var (plan, results) = await Run(Query(QueryKind.NearestWithin, epsilon) with { K = k }, progress,
            cancellationToken).ConfigureAwait(false);
        return ResultMerger.Pairs(plan, Images.Count, Texts.Count, results, Metric, Options.Join.MaxPairs,
            keepPerRow: k);
    }

    /// <summary>|F_ε| at every given tolerance from one pass (the step function of T3), and optionally the sorted
    /// distances of all pairs within the largest one.</summary>
    /// <param name="epsilons">The tolerances ε ≥ 0, in any order, repeats allowed (copied).</param>
    /// <param name="includeDistances">Also return the sorted distances of every pair within the largest
    /// tolerance (8 bytes per pair on the wire and in memory, no budget).</param>
    /// <param name="progress">Receives the fraction of pieces done, in (0, 1], from the coordinator's threads.</param>
    /// <param name="cancellationToken">Stops handing out pieces and cancels the running ones.</param>
    /// <returns>Exactly <see cref="ApproximateFiberProduct.Profile"/> of the same rows.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="epsilons"/> is null.</exception>
    /// <exception cref="ArgumentException">No tolerance was given.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A tolerance is negative or NaN.</exception>
    /// <exception cref="FileNotFoundException">A silo cannot find a file.</exception>
    /// <exception cref="InvalidDataException">A file is not a 2-D float32/float64 .npy array, or a range passes its
    /// end; the message names the file.</exception>
    /// <exception cref="TimeoutException">A piece failed <see cref="DistributedJoinOptions.MaxAttempts"/>
    /// times.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<EpsilonProfile> ProfileAsync(IReadOnlyList<double> epsilons, bool includeDistances = false,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(epsilons);
        if (epsilons.Count == 0) throw new ArgumentException("At least one tolerance is needed.", nameof(epsilons));
        var given = epsilons.ToArray();
        foreach (double e in given) CheckEpsilon(e, nameof(epsilons));
        var query = Query(QueryKind.Profile, given.Max())
            with { Epsilons = given, IncludeDistances = includeDistances };
        var (_, results) = await Run(query, progress, cancellationToken).ConfigureAwait(false);
        return ResultMerger.Profile(given, includeDistances, results);
    }

    private ShardQuery Query(QueryKind kind, double epsilon) => new(kind, epsilon, [], false, 0, Metric,
        Options.Join.MaxDegreeOfParallelism, Options.Join.Pruning, Options.Join.MaxPairs);

    private async Task<(JoinPlan Plan, BlockResult[] Results)> Run(ShardQuery query, IProgress<double>? progress,
        CancellationToken cancellationToken, string? output = null)
    {
        var plan = new JoinPlan(Images, Texts, Options);
        var (results, report) = await new JoinCoordinator(grains, Options, output)
            .RunAsync(plan, query, progress, cancellationToken).ConfigureAwait(false);
        LastReport = report;
        return (plan, results);
    }

    private static void CheckEpsilon(double epsilon, string name)
    {
        if (!(epsilon >= 0))
            throw new ArgumentOutOfRangeException(name, epsilon, string.Create(CultureInfo.InvariantCulture,
                $"The tolerance must be a non-negative number; got {epsilon}."));
    }
}
