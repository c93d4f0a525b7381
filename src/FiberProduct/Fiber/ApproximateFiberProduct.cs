using System.Globalization;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber.Exact;
using FiberProduct.Fiber.Kernels;
using FiberProduct.Fiber.Pruning;

namespace FiberProduct.Fiber;

/// <summary>
/// The ε-approximate fiber product F_ε = {(P_i, Q_j) : ‖f(P_i) − g(Q_j)‖ ≤ ε} of two embedded families
/// (arXiv 2412.00373, Def. of the approximate fiber product): counts, pair sets, per-image tolerances, the
/// nearest texts within ε, and the whole profile ε ↦ |F_ε|.
/// </summary>
/// <remarks>
/// <para>Every answer is exact: (i, j) ∈ F_ε iff the real-number distance between the stored vectors (float32 or
/// float64, as given) is at most ε. The fast path (float32 dot products, SIMD, register-tiled) only decides pairs it
/// can prove to lie on one side of ε; every other pair is decided from the stored values, by float64 sums with a
/// rigorous error bound and, at ties and near-ties, by exact rational arithmetic (docs/concepts.md, "Exactness of
/// F_ε"). Distances in results are float64 values within a stated bound of the exact ones, never above ε for a pair
/// of F_ε. The bound is closed: a pair at distance exactly ε belongs to F_ε.</para>
/// <para>The instance prepares the texts once (packed for the kernel) and can serve any number of queries, also
/// concurrently. Long calls take a <see cref="CancellationToken"/> and an <see cref="IProgress{T}"/> of the
/// fraction done.</para>
/// <para>Queries that return pairs hold at most <see cref="FiberProductOptions.MaxPairs"/> of them (the result budget):
/// beyond it they throw <see cref="ResultBudgetExceededException"/>, or truncate with
/// <see cref="FiberProductOptions.TruncateAtBudget"/> (<see cref="NearestWithin"/> always throws). <see cref="Count"/>,
/// <see cref="Profile"/>, <see cref="EnumeratePairs"/>, the alignment scores and <see cref="ExactMatches"/> have no
/// budget.</para>
/// <para>Cost: a query is one ε-join, N·M·d multiply-adds at most (exact pruning may skip tiles,
/// <see cref="FiberProductOptions.Pruning"/>), spread over <see cref="FiberProductOptions.MaxDegreeOfParallelism"/>
/// threads.</para>
/// </remarks>
/// <example>
/// <code>
/// var images = EmbeddingSet.Load("images.npy");   // f(P_i): N rows of dimension d
/// var texts = EmbeddingSet.Load("texts.npy");     // g(Q_j): M rows of the same dimension
/// var product = new ApproximateFiberProduct(images, texts, FiberMetric.Cosine);
/// long size = product.Count(0.25);                 // |F_ε|, no pairs allocated
/// PairSet pairs = product.Pairs(0.25);             // F_ε itself, with float64 distances
/// foreach (var (i, j, distance) in pairs) Console.WriteLine($"image {i} ~ text {j} at {distance:F4}");
/// </code>
/// </example>
public sealed partial class ApproximateFiberProduct
{
    // Prepared by the first query that needs them, on its workers; a cancelled preparation is not kept.
    private readonly Prepared<JoinOperands> operands;
    private readonly Prepared<PruningPlanner?> pruning;

    /// <summary>
    /// Refuses operands that cannot form a fiber product: sets in different spaces, or an undefined metric. Shared by
    /// every join over two sets (in memory and out of core), so they refuse alike.
    /// </summary>
    internal static void CheckOperands(int imageDimension, int textDimension, FiberMetric metric,
        string textsArgument)
    {
        if (imageDimension != textDimension)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The images live in R^{imageDimension} but the texts in R^{textDimension}; a fiber product "
                + $"needs one shared space."), textsArgument);
        if (!Enum.IsDefined(metric)) throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric.");
    }

    /// <summary>Creates the fiber product of images f(𝒫) and texts g(𝒬) under a metric.</summary>
    /// <remarks>
    /// Cheap: the sets are kept by reference (a float32 set beside a float64 one is first widened to float64, exactly,
    /// which copies it). The first query that needs them prepares, on its threads and with its token, the kernel's
    /// operands (float32 copies of both sets in the metric's working domain, the texts packed in panels: up to about
    /// 4·(N + M)·d bytes) and, when pruning applies, the pruning plan; a cancelled preparation is redone by the next
    /// query. Under <see cref="FiberMetric.Cosine"/> and <see cref="FiberMetric.Angular"/> the operands are prepared
    /// here instead, so that a zero row is refused at once.
    /// </remarks>
    /// <param name="images">The images f(P_i), i &lt; N: the rows of every pair set.</param>
    /// <param name="texts">The texts g(Q_j), j &lt; M, in the same dimension d: the columns of every pair set.</param>
    /// <param name="metric">The distance that defines F_ε (Euclidean by default).</param>
    /// <param name="options">Threads, result budget and pruning; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="images"/> or <paramref name="texts"/> is
    /// null.</exception>
    /// <exception cref="ArgumentException">The two sets have different dimensions, or (cosine, angular) a row is
    /// zero.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> is not a defined
    /// <see cref="FiberMetric"/>, or an option is out of range (threads 0 or below −1, a negative pruning dimension,
    /// <see cref="FiberProductOptions.MaxPairs"/> outside 0 … <see cref="Array.MaxLength"/>).</exception>
    /// <example>
    /// <code>
    /// var images = new EmbeddingSet(new float[,] { { 0f, 0f }, { 1f, 0f } });
    /// var texts = new EmbeddingSet(new float[,] { { 0f, 0.1f }, { 3f, 4f } });
    /// var product = new ApproximateFiberProduct(images, texts, FiberMetric.Euclidean,
    ///     new FiberProductOptions { MaxDegreeOfParallelism = 2, MaxPairs = 1_000_000 });
    /// </code>
    /// </example>
    public ApproximateFiberProduct(EmbeddingSet images, EmbeddingSet texts, FiberMetric metric = FiberMetric.Euclidean,
        FiberProductOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        CheckOperands(images.Dimension, texts.Dimension, metric, nameof(texts));
        Options = options ?? new FiberProductOptions();
        Options.Validate();
        // One precision for both sides: a float32 set beside a float64 one is widened (exactly).
        if (images.Precision != texts.Precision) (images, texts) = (images.ToDouble(), texts.ToDouble());
        Images = images;
        Texts = texts;
        Metric = metric;
        operands = new Prepared<JoinOperands>(scope => new JoinOperands(images, texts, metric, scope));
        pruning = new Prepared<PruningPlanner?>(scope => PruningPlanner.Create(images, texts, metric, scope));
        // Reject zero rows now, not at the first query.
        if (metric != FiberMetric.Euclidean) _ = operands.Get(Scope(null, CancellationToken.None));
    }

    /// <summary>The images f(𝒫) (rows of the pair sets).</summary>
    public EmbeddingSet Images { get; }

    /// <summary>The texts g(𝒬) (columns of the pair sets).</summary>
    public EmbeddingSet Texts { get; }

    /// <summary>The distance that defines F_ε.</summary>
    public FiberMetric Metric { get; }

    /// <summary>Threads, result budget.</summary>
    public FiberProductOptions Options { get; }

    /// <summary>|F_ε|, the number of pairs within ε.</summary>
    /// <remarks>
    /// Exact, and allocates no pairs (so no result budget applies): one counter per worker. The float64 stage runs only
    /// for pairs the float32 filter cannot decide, the exact stage only at ties and near-ties of ε.
    /// </remarks>
    /// <param name="epsilon">The tolerance ε ≥ 0, in the units of <see cref="Metric"/>, taken exactly; the bound is
    /// closed (a pair at distance exactly ε is in F_ε); +∞ selects every pair.</param>
    /// <param name="progress">Receives the fraction of the work done, in [0, 1], never decreasing, 1 at the end; it may
    /// be called from the worker threads. Null: no reports.</param>
    /// <param name="cancellationToken">Checked while the join runs (between tiles); a cancelled query throws and
    /// returns nothing partial.</param>
    /// <returns>The exact number of pairs (i, j) with ‖f(P_i) − g(Q_j)‖ ≤ ε, between 0 and N·M.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or NaN.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <example>
    /// <code>
    /// var progress = new Progress&lt;double&gt;(done => Console.Write($"\r{done:P0}"));
    /// using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
    /// long size = product.Count(0.25, progress, timeout.Token);
    /// Console.WriteLine($"|F_0.25| = {size} of {(long)product.Images.Count * product.Texts.Count} pairs");
    /// </code>
    /// </example>
    public long Count(double epsilon, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckEpsilon(epsilon, nameof(epsilon));
        var scope = Scope(progress, cancellationToken);
        var (op, filter, _, _) = Plan(_ => epsilon, epsilon, scope);
        return CountOn(op, filter, epsilon, scope);
    }

    /// <summary>The count over every row of <paramref name="op"/>: the one path of Count and QueryCount.</summary>
    private long CountOn(JoinOperands op, HeadFilter? filter, double epsilon, ExecutionScope scope)
    {
        var exact = new ExactCheck(op);
        var (candidate, sure) = Thresholds(op, _ => epsilon, exact);
        var sinks = new CountSink[Workers(op.Rows, scope)];
        Join(op, candidate, sure, 0, op.Rows, w => sinks[w] = new CountSink(exact, _ => epsilon), filter, scope);
        scope.Report(1);
        return sinks.Sum(s => s?.Count ?? 0);
    }

    /// <summary>F_ε as a pair set with float64 distances, rows and columns in increasing order.</summary>
    /// <remarks>
    /// The set is exact; each distance is a float64 within a stated bound of the exact one and never above ε.
    /// Allocates 12 bytes per pair (a column index and a distance) plus 8·(N + 1) bytes of row offsets, and the
    /// workers' buffers while the join runs. With <see cref="FiberProductOptions.TruncateAtBudget"/> the rows are
    /// joined in bands and only the first <see cref="FiberProductOptions.MaxPairs"/> pairs in (image, text) order are
    /// kept (<see cref="PairSet.IsTruncated"/>). For more pairs than memory holds use <see cref="EnumeratePairs"/>.
    /// </remarks>
    /// <param name="epsilon">The tolerance ε ≥ 0, in the units of <see cref="Metric"/>, taken exactly; the bound is
    /// closed (a pair at distance exactly ε is in F_ε); +∞ selects every pair.</param>
    /// <param name="progress">Receives the fraction of the work done, in [0, 1], never decreasing, 1 at the end; it may
    /// be called from the worker threads. Null: no reports.</param>
    /// <param name="cancellationToken">Checked while the join runs (between tiles); a cancelled query throws and
    /// returns nothing partial.</param>
    /// <returns>F_ε in compressed sparse row form: N rows, each with its texts in increasing order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or NaN.</exception>
    /// <exception cref="ResultBudgetExceededException">More pairs than <see cref="FiberProductOptions.MaxPairs"/>
    /// (unless truncating).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <example>
    /// <code>
    /// PairSet pairs = product.Pairs(0.25);
    /// for (int i = 0; i &lt; pairs.RowCount; i++)
    ///     Console.WriteLine($"image {i}: texts {string.Join(", ", pairs.ColumnsOfRow(i).ToArray())}");
    /// bool matched = pairs.Contains(0, 0);
    /// </code>
    /// </example>
    public PairSet Pairs(double epsilon, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        CheckEpsilon(epsilon, nameof(epsilon));
        var scope = Scope(progress, cancellationToken);
        return Options.TruncateAtBudget ? CollectTruncated(_ => epsilon, scope)
            : CollectPairs(0, Images.Count, _ => epsilon, new PairBudget(Options.MaxPairs), scope);
    }

    /// <summary>
    /// The first <see cref="FiberProductOptions.MaxPairs"/> pairs in (row, column) order, found band by band: each band
    /// of rows (about an eighth of the budget's pairs, at least 64 rows) is joined on every worker with no budget, and
    /// the bands stop once the budget is met and one more pair shows it was exceeded. Memory holds the kept pairs
    /// (arrays that never grow past the budget) and one band's, whatever the number of workers.
    /// </summary>
    private PairSet CollectTruncated(Func<int, double> epsilonOfRow, ExecutionScope scope)
    {
        long max = Math.Min(Options.MaxPairs, Array.MaxLength);
        int band = (int)Math.Clamp(max / 8 / Math.Max(1, Texts.Count), 64, Math.Max(64, Images.Count));
        var offsets = new long[Images.Count + 1];
        int[] columns = [];
        double[] distances = [];
        int count = 0;
        bool truncated = false;
        int start = 0;
        for (; start < Images.Count && !truncated; start += band)
        {
            int end = (int)Math.Min(Images.Count, (long)start + band);
            var stage = scope.Part((double)start / Images.Count, (double)end / Images.Count);
            var part = CollectPairs(start, end, epsilonOfRow, new PairBudget(long.MaxValue), stage);
            for (int i = start; i < end; i++)
            {
                var rowColumns = part.ColumnsOfRow(i);
                int take = (int)Math.Min(rowColumns.Length, max - count);
                truncated |= take < rowColumns.Length;
                if (count + take > columns.Length)
                {
                    int size = (int)Math.Min(max, Math.Max((long)count + take, 2L * columns.Length));
                    Array.Resize(ref columns, size);
                    Array.Resize(ref distances, size);
                }
                rowColumns[..take].CopyTo(columns.AsSpan(count));
                part.DistancesOfRow(i)[..take].CopyTo(distances.AsSpan(count));
                count += take;
                offsets[i + 1] = count;
            }
        }
        for (int i = Math.Min(start, Images.Count); i < Images.Count; i++) offsets[i + 1] = count;
        Array.Resize(ref columns, count);
        Array.Resize(ref distances, count);
        scope.Report(1);
        var exact = new ExactCheck(operands.Get(scope));
        var result = new PairSet(Texts.Count, offsets, columns, distances, truncated);
        result.DistanceError = (Metric, exact.RelativeDistanceError, exact.AbsoluteDistanceError);
        return result;
    }

    /// <summary>
    /// The pairs with ‖f(P_i) − g(Q_j)‖ ≤ ε_i: one tolerance per image (for instance each image's own
    /// calibrated radius).
    /// </summary>
    /// <remarks>Exact, allocated and budgeted like <see cref="Pairs"/>; each distance is at most its row's ε_i.
    /// </remarks>
    /// <param name="epsilonPerImage">ε_i ≥ 0 for each image i, N values (copied; +∞ selects the
    /// whole row).</param>
    /// <param name="progress">Receives the fraction of the work done, in [0, 1], never decreasing, 1 at the end; it may
    /// be called from the worker threads. Null: no reports.</param>
    /// <param name="cancellationToken">Checked while the join runs (between tiles); a cancelled query throws and
    /// returns nothing partial.</param>
    /// <returns>The pairs with ‖f(P_i) − g(Q_j)‖ ≤ ε_i, in compressed sparse row form.</returns>
    /// <exception cref="ArgumentException">The number of tolerances is not the number of images.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A tolerance is negative or NaN; the message names its
    /// index.</exception>
    /// <exception cref="ResultBudgetExceededException">More pairs than <see cref="FiberProductOptions.MaxPairs"/>
    /// (unless truncating).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public PairSet PairsPerImageTolerance(ReadOnlySpan<double> epsilonPerImage, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (epsilonPerImage.Length != Images.Count)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Expected one tolerance per image ({Images.Count}); got {epsilonPerImage.Length}."),
                nameof(epsilonPerImage));
        var tolerances = epsilonPerImage.ToArray();
        for (int i = 0; i < tolerances.Length; i++)
            if (!(tolerances[i] >= 0))
                throw new ArgumentOutOfRangeException(nameof(epsilonPerImage), tolerances[i],
                    string.Create(CultureInfo.InvariantCulture, $"Tolerance {i} must be a non-negative number."));
        var scope = Scope(progress, cancellationToken);
        return Options.TruncateAtBudget ? CollectTruncated(i => tolerances[i], scope)
            : CollectPairs(0, Images.Count, i => tolerances[i], new PairBudget(Options.MaxPairs), scope);
    }

    /// <summary>
    /// The classical fiber product F_0 = {(P, Q) : f(P) = g(Q)} (T2): the pairs at distance exactly 0, which a
    /// squared-distance comparison in float32 can lose or invent; here they are decided in float64.
    /// </summary>
    /// <remarks>
    /// Exactly <c>Pairs(0)</c>: the rows equal value for value under the Euclidean metric (rows that are positive
    /// multiples of each other under cosine and angular), budgeted likewise. For sets known to be discrete,
    /// <see cref="ExactMatches"/> hashes instead.
    /// </remarks>
    /// <param name="cancellationToken">Checked while the join runs (between tiles); a cancelled query throws and
    /// returns nothing partial.</param>
    /// <returns>F_0, every distance 0.</returns>
    /// <exception cref="ResultBudgetExceededException">More pairs than <see cref="FiberProductOptions.MaxPairs"/>
    /// (unless truncating).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public PairSet ClassicalFiberProduct(CancellationToken cancellationToken = default) =>
        Pairs(0, cancellationToken: cancellationToken);

    /// <summary>
    /// The pairs of F_ε one at a time, image by image and text by text, computed a band of images at a time so that
    /// memory stays bounded by one band's pairs whatever the size of F_ε. No result budget applies.
    /// </summary>
    /// <remarks>
    /// Lazy: ε is checked at once, but nothing is joined until the enumeration starts, and each band (max(96,
    /// min(4096, 2^22/M)) images, so at most about 4 million pairs, 12 bytes each) is joined on every worker when its
    /// first pair is asked for. The pairs are those of <see cref="Pairs"/>, exact, in the same order. Stopping the
    /// enumeration early stops the work. Each enumeration joins again.
    /// </remarks>
    /// <param name="epsilon">The tolerance ε ≥ 0, in the units of <see cref="Metric"/>, taken exactly; the bound is
    /// closed (a pair at distance exactly ε is in F_ε); +∞ selects every pair.</param>
    /// <param name="cancellationToken">Checked while each band is joined: a cancel throws
    /// <see cref="OperationCanceledException"/> from <c>MoveNext</c>.</param>
    /// <returns>The pairs of F_ε in (image, text) order, computed band by band as they are enumerated.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or NaN (thrown by this
    /// call, not by the enumeration).</exception>
    /// <example>
    /// <code>
    /// using var writer = new StreamWriter("pairs.csv");
    /// foreach (var pair in product.EnumeratePairs(0.25))
    ///     writer.WriteLine($"{pair.Image},{pair.Text},{pair.Distance:R}");
    /// </code>
    /// </example>
    public IEnumerable<FiberPair> EnumeratePairs(double epsilon, CancellationToken cancellationToken = default)
    {
        CheckEpsilon(epsilon, nameof(epsilon));
        return Enumerate(epsilon, Scope(null, cancellationToken));
    }

    private IEnumerable<FiberPair> Enumerate(double epsilon, ExecutionScope scope)
    {
        // A band holds at most about 4 million pairs even if every pair is within ε.
        int band = Math.Max(96, Math.Min(4096, (1 << 22) / Math.Max(1, Texts.Count)));
        for (int start = 0; start < Images.Count; start += band)
        {
            int end = Math.Min(Images.Count, start + band);
            var pairs = CollectPairs(start, end, _ => epsilon, new PairBudget(long.MaxValue), scope);
            for (int i = start; i < end; i++)
            {
                var columns = pairs.ColumnsOfRow(i).ToArray();
                var distances = pairs.DistancesOfRow(i).ToArray();
                for (int p = 0; p < columns.Length; p++) yield return new FiberPair(i, columns[p], distances[p]);
            }
        }
    }

    /// <summary>Calls <paramref name="action"/> for every pair of F_ε, in (image, text) order, with bounded memory
    /// (see <see cref="EnumeratePairs"/>).</summary>
    /// <param name="epsilon">The tolerance ε ≥ 0, in the units of <see cref="Metric"/>, taken exactly; the bound is
    /// closed (a pair at distance exactly ε is in F_ε); +∞ selects every pair.</param>
    /// <param name="action">Called on the calling thread for each pair, one at a time; an exception it throws stops the
    /// enumeration and propagates.</param>
    /// <param name="cancellationToken">Checked while each band is joined.</param>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or NaN.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public void ForEachPair(double epsilon, Action<FiberPair> action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        foreach (var pair in EnumeratePairs(epsilon, cancellationToken)) action(pair);
    }

    /// <summary>
    /// For each image, its <paramref name="k"/> nearest texts among those within ε (fewer where fewer are within ε;
    /// among equal distances the lower text index wins). Stored like every <see cref="PairSet"/>: by increasing
    /// text index within a row, with the distances alongside.
    /// </summary>
    /// <remarks>
    /// Exact: the same pairs as keeping the k smallest of each row of <see cref="Pairs"/>. Allocates at most N·k
    /// pairs; the result budget applies to the pairs kept (always thrown:
    /// <see cref="FiberProductOptions.TruncateAtBudget"/>
    /// does not truncate here). Cost: the join of <see cref="Pairs"/> at ε.
    /// </remarks>
    /// <param name="epsilon">The tolerance ε ≥ 0, in the units of <see cref="Metric"/>, taken exactly; the bound is
    /// closed (a pair at distance exactly ε is in F_ε); +∞ selects every pair.</param>
    /// <param name="k">The most texts kept per image, at least 1.</param>
    /// <param name="progress">Receives the fraction of the work done, in [0, 1], never decreasing, 1 at the end; it may
    /// be called from the worker threads. Null: no reports.</param>
    /// <param name="cancellationToken">Checked while the join runs (between tiles); a cancelled query throws and
    /// returns nothing partial.</param>
    /// <returns>For each image, its up to k nearest texts within ε, stored by increasing text index (not by
    /// distance).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1, or ε is negative or
    /// NaN.</exception>
    /// <exception cref="ResultBudgetExceededException">More kept pairs than
    /// <see cref="FiberProductOptions.MaxPairs"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <example>
    /// <code>
    /// PairSet nearest = product.NearestWithin(0.5, k: 5);
    /// var texts = nearest.ColumnsOfRow(0);
    /// var distances = nearest.DistancesOfRow(0);
    /// int best = -1;
    /// for (int p = 0; p &lt; texts.Length; p++)
    ///     if (best == -1 || distances[p] &lt; distances[best]) best = p;
    /// if (best >= 0) Console.WriteLine($"image 0: nearest text {texts[best]} at {distances[best]:F4}");
    /// </code>
    /// </example>
    public PairSet NearestWithin(double epsilon, int k, IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        CheckEpsilon(epsilon, nameof(epsilon));
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return CollectPairs(0, Images.Count, _ => epsilon, new PairBudget(Options.MaxPairs),
            Scope(progress, cancellationToken), keepPerRow: k);
    }

    /// <summary>
    /// |F_ε| at every given tolerance from one pass over the data (the step function of T3), and, when
    /// <paramref name="includeDistances"/> is set, the sorted float64 distances of all pairs within the largest one.
    /// </summary>
    /// <remarks>
    /// Exact: each count equals <see cref="Count"/> at that tolerance, from a single join at the largest one. Without
    /// distances it allocates one counter per tolerance and worker; with them, about 8 bytes per pair within the
    /// largest tolerance, with no result budget, so keep that tolerance small. Each distance lies in (ε_{k−1}, ε_k]
    /// for the first tolerance ε_k that holds its pair, so counting the distances ≤ any given tolerance
    /// reproduces its count.
    /// </remarks>
    /// <param name="epsilons">The tolerances ε ≥ 0, in any order, repeats allowed (copied); +∞ counts every
    /// pair.</param>
    /// <param name="includeDistances">Also return the sorted float64 distances of every pair within the largest
    /// tolerance.</param>
    /// <param name="progress">Receives the fraction of the work done, in [0, 1], never decreasing, 1 at the end; it may
    /// be called from the worker threads. Null: no reports.</param>
    /// <param name="cancellationToken">Checked while the join runs (between tiles); a cancelled query throws and
    /// returns nothing partial.</param>
    /// <returns>The counts |F_ε| aligned with <paramref name="epsilons"/> as given, and the distances if asked
    /// for.</returns>
    /// <exception cref="ArgumentException">No tolerance was given.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A tolerance is negative or NaN.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <example>
    /// <code>
    /// double[] epsilons = [0.1, 0.2, 0.3, 0.4];
    /// EpsilonProfile profile = product.Profile(epsilons);
    /// for (int k = 0; k &lt; epsilons.Length; k++)
    ///     Console.WriteLine($"|F_{profile.Epsilons[k]}| = {profile.Counts[k]}");
    /// </code>
    /// </example>
    public EpsilonProfile Profile(ReadOnlySpan<double> epsilons, bool includeDistances = false,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var given = Tolerances(epsilons);
        double largest = given.Max();
        var scope = Scope(progress, cancellationToken);
        var (op, filter, _, _) = Plan(_ => largest, largest, scope);
        return ProfileOn(op, filter, given, includeDistances, scope);
    }

    /// <summary>The tolerances of a profile, checked.</summary>
    private static double[] Tolerances(ReadOnlySpan<double> epsilons)
    {
        if (epsilons.IsEmpty) throw new ArgumentException("At least one tolerance is needed.", nameof(epsilons));
        var given = epsilons.ToArray();
        foreach (double e in given) CheckEpsilon(e, nameof(epsilons));
        return given;
    }

    /// <summary>The profile of every row of <paramref name="op"/>: the one path of Profile and QueryProfile.</summary>
    private EpsilonProfile ProfileOn(JoinOperands op, HeadFilter? filter, double[] given,
        bool includeDistances, ExecutionScope scope)
    {
        var sorted = given.Distinct().Order().ToArray();
        var exact = new ExactCheck(op);
        var (candidate, sure) = Thresholds(op, _ => sorted[^1], exact);
        var sinks = new ProfileSink[Workers(op.Rows, scope)];
        Join(op, candidate, sure, 0, op.Rows, w => sinks[w] = new ProfileSink(op, exact, sorted, includeDistances),
            filter, scope.Part(0, 0.95));

        var cumulative = new long[sorted.Length];
        foreach (var sink in sinks.Where(s => s is not null))
            for (int k = 0; k < sorted.Length; k++) cumulative[k] += sink.FirstIndexCounts[k];
        for (int k = 1; k < sorted.Length; k++) cumulative[k] += cumulative[k - 1];
        var counts = given.Select(e => cumulative[Array.BinarySearch(sorted, e)]).ToArray();
        double[]? distances = null;
        if (includeDistances)
        {
            distances = sinks.Where(s => s is not null).SelectMany(s => s.Distances).ToArray();
            Array.Sort(distances);
        }
        scope.Report(1);
        return new EpsilonProfile(given, counts, distances);
    }

    /// <summary>
    /// The classical fiber product of embeddings known to be exact (integer or otherwise discrete maps) by hashing:
    /// the pairs whose rows are equal value for value (−0 equals +0), in O((N + M)·d) expected time. Equals
    /// <c>Pairs(0)</c> under the Euclidean metric.
    /// </summary>
    /// <remarks>
    /// Allocates a hash table of the M texts, their rows widened to float64 (8·M·d bytes); all distances of the
    /// result are 0. No result budget applies.
    /// </remarks>
    /// <param name="images">The images f(P_i): the rows of the result.</param>
    /// <param name="texts">The texts g(Q_j), in the same dimension: the columns of the result.</param>
    /// <returns>The pairs with f(P_i) = g(Q_j) coordinate by coordinate, in compressed sparse row form.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="images"/> or <paramref name="texts"/> is
    /// null.</exception>
    /// <exception cref="ArgumentException">The dimensions differ.</exception>
    public static PairSet ExactMatches(EmbeddingSet images, EmbeddingSet texts)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        if (images.Dimension != texts.Dimension)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The images live in R^{images.Dimension} but the texts in R^{texts.Dimension}."), nameof(texts));
        var byValue = new Dictionary<RowKey, List<int>>();
        for (int j = 0; j < texts.Count; j++)
        {
            var key = new RowKey(texts, j);
            if (!byValue.TryGetValue(key, out var list)) byValue[key] = list = [];
            list.Add(j);
        }
        var offsets = new long[images.Count + 1];
        var columns = new List<int>();
        for (int i = 0; i < images.Count; i++)
        {
            if (byValue.TryGetValue(new RowKey(images, i), out var matches)) columns.AddRange(matches);
            offsets[i + 1] = columns.Count;
        }
        return new PairSet(texts.Count, offsets, [.. columns], new double[columns.Count], isTruncated: false);
    }

    private PairSet CollectPairs(int rowStart, int rowEnd, Func<int, double> epsilonOfRow, PairBudget budget,
        ExecutionScope scope, int keepPerRow = 0)
    {
        // Pruning reorders rows and columns: only for whole results (bands need row order).
        bool whole = rowStart == 0 && rowEnd == Images.Count;
        var (op, filter, rowOrder, columnOrder) = whole
            ? Plan(epsilonOfRow, MaxOver(epsilonOfRow, Images.Count), scope)
            : (operands.Get(scope), null, null, null);
        var epsilonOf = rowOrder is null ? epsilonOfRow : i => epsilonOfRow(rowOrder[i]);
        return JoinPairs(op, filter, rowStart, rowEnd, epsilonOf, budget, scope, keepPerRow, rowOrder, columnOrder);
    }

    /// <summary>
    /// The pairs of join rows [rowStart, rowEnd) of <paramref name="op"/> (all of its rows make the result's rows),
    /// with their float64 distances and error bound: the one pair-collecting path of Pairs, the bands, and Query.
    /// </summary>
    private PairSet JoinPairs(JoinOperands op, HeadFilter? filter, int rowStart, int rowEnd,
        Func<int, double> epsilonOf, PairBudget budget, ExecutionScope scope, int keepPerRow,
        int[]? rowOrder, int[]? columnOrder)
    {
        var exact = new ExactCheck(op);
        var (candidate, sure) = (new float[op.Rows], new float[op.Rows]);
        op.Thresholds(epsilonOf, candidate, sure, exact, rowStart, rowEnd);
        var sinks = new PairSink[Workers(rowEnd - rowStart, scope)];
        Join(op, candidate, sure, rowStart, rowEnd, w => sinks[w] = new PairSink(exact, epsilonOf, budget,
            keepPerRow, columnOrder), filter, scope.Part(0, 0.95));
        var buffers = sinks.Where(s => s is not null).Select(s => s.Buffer).ToList();
        var result = PairSet.FromBuffers(op.Rows, Texts.Count, buffers, budget.MaxPairs, scope, rowOrder, columnOrder);
        result.DistanceError = (Metric, exact.RelativeDistanceError, exact.AbsoluteDistanceError);
        scope.Report(1);
        return result;
    }

    /// <summary>The join of a query, with the head filter of its plan if it has one.</summary>
    private void Join<TSink>(JoinOperands op, float[] candidate, float[] sure, int rowStart, int rowEnd,
        Func<int, TSink> sinkForWorker, HeadFilter? filter, ExecutionScope scope) where TSink : ITileSink
    {
        if (filter is null)
        {
            RangeJoin.Run(op, candidate, sure, rowStart, rowEnd, sinkForWorker, new NoTileFilter(), scope);
            return;
        }
        RangeJoin.Run(op, candidate, sure, rowStart, rowEnd, sinkForWorker, filter.Operator, scope);
        if (pruning.ValueIfBuilt is { } planner) lock (planner) planner.Record(filter);
    }

    /// <summary>
    /// The operands a query runs on: the original ones, or — when pruning is on and pays — the reordered ones with
    /// the head filter for the rows' tolerances (in the reordered row order) and the maps back to the original indices.
    /// </summary>
    private (JoinOperands Op, HeadFilter? Filter, int[]? RowOrder,
        int[]? ColumnOrder) Plan(Func<int, double> epsilonOfRow, double largest, ExecutionScope scope)
    {
        if (!MayPrune(Images.Count) || double.IsInfinity(largest)) return (operands.Get(scope), null, null, null);
        bool forced = Options.Pruning == PruningMode.Always || Options.PruningDimension is not null;
        var pruner = pruning.Get(scope);
        if (pruner is null) return (operands.Get(scope), null, null, null);
        PruningPlan plan;
        lock (pruner) plan = pruner.Choose(pruner.Chord(largest), forced, Options.PruningDimension, scope);
        if (plan.Dimension == 0 && Options.PruningDimension is null) return (operands.Get(scope), null, null, null);
        var (op, rows, columns) = pruner.Full(scope);
        // The heads bound the distances of the float32 vectors the filter reads: for float64 sets each tolerance is
        // widened by how far the two rows moved when rounded.
        if (Metric != FiberMetric.Euclidean || Images.Precision == EmbeddingPrecision.Float32)
            return (op, pruner.Filter(plan, i => epsilonOfRow(rows[i]), scope), rows, columns);
        var (radii, reach) = (Images.RoundingRadii, Texts.RoundingRadii.DefaultIfEmpty().Max());
        return (op, pruner.Filter(plan,
            i => (epsilonOfRow(rows[i]) + radii[rows[i]] + reach) * (1 + 1e-15), scope), rows, columns);
    }

    /// <summary>Below this much work (N·M·d multiply-adds) Auto does not prepare pruning: the join is over before it
    /// would pay.</summary>
    private const double AutoPruningWork = 1L << 34;

    /// <summary>Whether a join of <paramref name="rows"/> images with the texts may plan pruning under these options
    /// (a finite tolerance given).</summary>
    private bool MayPrune(int rows) =>
        Options.Pruning == PruningMode.Always || Options.PruningDimension is not null
        || Options.Pruning != PruningMode.Never && (double)rows * Texts.Count * Texts.Dimension >= AutoPruningWork;

    /// <summary>
    /// What pruning did in the last query that planned it (null while no query has prepared pruning, or when these sets
    /// cannot be pruned), for benchmarks and tests.
    /// </summary>
    internal PruningStatistics? LastPruning => pruning.ValueIfBuilt?.Last;

    /// <summary>Seconds spent in each step of the pruning preparation so far (null as for
    /// <see cref="LastPruning"/>), for benchmarks.</summary>
    internal IReadOnlyDictionary<string, double>? PruningPhases => pruning.ValueIfBuilt?.Phases;

    private static double MaxOver(Func<int, double> epsilonOfRow, int rows)
    {
        double max = 0;
        for (int i = 0; i < rows; i++) max = Math.Max(max, epsilonOfRow(i));
        return max;
    }

    private static (float[] Candidate, float[] Sure) Thresholds(JoinOperands op, Func<int, double> epsilonOfRow,
        ExactCheck exact, int rowStart = 0, int rowEnd = -1)
    {
        var candidate = new float[op.Rows];
        var sure = new float[op.Rows];
        op.Thresholds(epsilonOfRow, candidate, sure, exact, rowStart, rowEnd);
        return (candidate, sure);
    }

    private static int Workers(int rows, ExecutionScope scope) => RangeJoin.Workers(rows, scope.Workers);

    /// <summary>The execution context of one query: the options' threads, the caller's progress and token.</summary>
    private ExecutionScope Scope(IProgress<double>? progress, CancellationToken cancellationToken) =>
        new(Options.MaxDegreeOfParallelism, progress, cancellationToken);

    private static void CheckEpsilon(double epsilon, string name)
    {
        if (!(epsilon >= 0))
            throw new ArgumentOutOfRangeException(name, epsilon,
                "A tolerance ε must be a non-negative number (+∞ selects every pair).");
    }

    /// <summary>A row compared by value, with −0 and +0 equal (they are at distance 0).</summary>
    private readonly struct RowKey(EmbeddingSet set, int row) : IEquatable<RowKey>
    {
        private readonly double[] values = Canonical(set.RowAsDouble(row));

        private static double[] Canonical(double[] row)
        {
            // Widened exactly, so a float32 and a float64 set compare by value.
            for (int k = 0; k < row.Length; k++) if (row[k] == 0) row[k] = 0.0;
            return row;
        }

        public bool Equals(RowKey other) => values.AsSpan().SequenceEqual(other.values);
        public override bool Equals(object? obj) => obj is RowKey other && Equals(other);
        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
            return hash.ToHashCode();
        }
    }
}
