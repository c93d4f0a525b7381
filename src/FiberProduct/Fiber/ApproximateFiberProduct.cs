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
/// float64, as given) is at most ε. The fast path (float32 dot products, SIMD, register-tiled) only decides pairs it can
/// prove to lie on one side of ε; every other pair is decided from the stored values, by float64 sums with a rigorous
/// error bound and, at ties and near-ties, by exact rational arithmetic (docs/concepts.md, "Exactness of F_ε").
/// Distances in results are float64 values within a stated bound of the exact ones, never above ε for a pair of F_ε.
/// The bound is closed: a pair at distance exactly ε belongs to F_ε.</para>
/// <para>The instance prepares the texts once (packed for the kernel) and can serve any number of queries, also
/// concurrently. Long calls take a <see cref="CancellationToken"/> and an <see cref="IProgress{T}"/> of the fraction done.</para>
/// </remarks>
public sealed partial class ApproximateFiberProduct
{
    // Prepared by the first query that needs them, on its workers; a cancelled preparation is not kept.
    private readonly Prepared<JoinOperands> operands;
    private readonly Prepared<PruningPlanner?> pruning;

    /// <summary>Creates the fiber product of images f(𝒫) and texts g(𝒬) under a metric.</summary>
    /// <exception cref="ArgumentException">The two sets have different dimensions, or (cosine, angular) a row is zero.</exception>
    public ApproximateFiberProduct(EmbeddingSet images, EmbeddingSet texts, FiberMetric metric = FiberMetric.Euclidean, FiberProductOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        if (images.Dimension != texts.Dimension)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The images live in R^{images.Dimension} but the texts in R^{texts.Dimension}; a fiber product needs one shared space."), nameof(texts));
        if (!Enum.IsDefined(metric)) throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric.");
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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or NaN.</exception>
    public long Count(double epsilon, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckEpsilon(epsilon, nameof(epsilon));
        var scope = Scope(progress, cancellationToken);
        var (op, filter, _, _) = Plan(_ => epsilon, epsilon, scope);
        var exact = new ExactCheck(op);
        var (candidate, sure) = Thresholds(op, _ => epsilon, exact);
        var sinks = new CountSink[Workers(Images.Count, scope)];
        Join(op, candidate, sure, 0, Images.Count, w => sinks[w] = new CountSink(exact, _ => epsilon), filter, scope);
        scope.Report(1);
        return sinks.Sum(s => s?.Count ?? 0);
    }

    /// <summary>F_ε as a pair set with float64 distances, rows and columns in increasing order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or NaN.</exception>
    /// <exception cref="ResultBudgetExceededException">More pairs than <see cref="FiberProductOptions.MaxPairs"/> (unless truncating).</exception>
    public PairSet Pairs(double epsilon, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckEpsilon(epsilon, nameof(epsilon));
        var scope = Scope(progress, cancellationToken);
        return Options.TruncateAtBudget ? CollectTruncated(_ => epsilon, scope)
            : CollectPairs(0, Images.Count, _ => epsilon, new PairBudget(Options.MaxPairs), scope);
    }

    /// <summary>
    /// The first <see cref="FiberProductOptions.MaxPairs"/> pairs in (row, column) order, found band by band: each band of
    /// rows (about an eighth of the budget's pairs, at least 64 rows) is joined on every worker with no budget, and the
    /// bands stop once the budget is met and one more pair shows it was exceeded. Memory holds the kept pairs (arrays
    /// that never grow past the budget) and one band's, whatever the number of workers.
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
    /// The pairs with ‖f(P_i) − g(Q_j)‖ ≤ ε_i: one tolerance per image (for instance each image's own calibrated radius).
    /// </summary>
    /// <exception cref="ArgumentException">The number of tolerances is not the number of images.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A tolerance is negative or NaN; the message names its index.</exception>
    public PairSet PairsPerImageTolerance(ReadOnlySpan<double> epsilonPerImage, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        if (epsilonPerImage.Length != Images.Count)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Expected one tolerance per image ({Images.Count}); got {epsilonPerImage.Length}."), nameof(epsilonPerImage));
        var tolerances = epsilonPerImage.ToArray();
        for (int i = 0; i < tolerances.Length; i++)
            if (!(tolerances[i] >= 0))
                throw new ArgumentOutOfRangeException(nameof(epsilonPerImage), tolerances[i], string.Create(CultureInfo.InvariantCulture, $"Tolerance {i} must be a non-negative number."));
        var scope = Scope(progress, cancellationToken);
        return Options.TruncateAtBudget ? CollectTruncated(i => tolerances[i], scope)
            : CollectPairs(0, Images.Count, i => tolerances[i], new PairBudget(Options.MaxPairs), scope);
    }

    /// <summary>
    /// The classical fiber product F_0 = {(P, Q) : f(P) = g(Q)} (T2): the pairs at distance exactly 0, which a
    /// squared-distance comparison in float32 can lose or invent; here they are decided in float64.
    /// </summary>
    public PairSet ClassicalFiberProduct(CancellationToken cancellationToken = default) => Pairs(0, cancellationToken: cancellationToken);

    /// <summary>
    /// The pairs of F_ε one at a time, image by image and text by text, computed a band of images at a time so that
    /// memory stays bounded by one band's pairs whatever the size of F_ε. No result budget applies.
    /// </summary>
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

    /// <summary>Calls <paramref name="action"/> for every pair of F_ε, in (image, text) order, with bounded memory (see <see cref="EnumeratePairs"/>).</summary>
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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1, or ε is negative or NaN.</exception>
    public PairSet NearestWithin(double epsilon, int k, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        CheckEpsilon(epsilon, nameof(epsilon));
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return CollectPairs(0, Images.Count, _ => epsilon, new PairBudget(Options.MaxPairs), Scope(progress, cancellationToken),
            keepPerRow: k);
    }

    /// <summary>
    /// |F_ε| at every given tolerance from one pass over the data (the step function of T3), and, when
    /// <paramref name="includeDistances"/> is set, the sorted float64 distances of all pairs within the largest one.
    /// </summary>
    /// <exception cref="ArgumentException">No tolerance was given.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A tolerance is negative or NaN.</exception>
    public EpsilonProfile Profile(ReadOnlySpan<double> epsilons, bool includeDistances = false, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        if (epsilons.IsEmpty) throw new ArgumentException("At least one tolerance is needed.", nameof(epsilons));
        var given = epsilons.ToArray();
        foreach (double e in given) CheckEpsilon(e, nameof(epsilons));
        var sorted = given.Distinct().Order().ToArray();
        double largest = sorted[^1];
        var scope = Scope(progress, cancellationToken);
        var (op, filter, _, _) = Plan(_ => largest, largest, scope);
        var exact = new ExactCheck(op);
        var (candidate, sure) = Thresholds(op, _ => largest, exact);
        var sinks = new ProfileSink[Workers(Images.Count, scope)];
        Join(op, candidate, sure, 0, Images.Count, w => sinks[w] = new ProfileSink(op, exact, sorted, includeDistances),
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
    /// <exception cref="ArgumentException">The dimensions differ.</exception>
    public static PairSet ExactMatches(EmbeddingSet images, EmbeddingSet texts)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        if (images.Dimension != texts.Dimension)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The images live in R^{images.Dimension} but the texts in R^{texts.Dimension}."), nameof(texts));
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
        var exact = new ExactCheck(op);
        var (candidate, sure) = Thresholds(op, epsilonOf, exact, rowStart, rowEnd);
        var sinks = new PairSink[Workers(rowEnd - rowStart, scope)];
        Join(op, candidate, sure, rowStart, rowEnd, w => sinks[w] = new PairSink(exact, epsilonOf, budget, keepPerRow, columnOrder),
            filter, scope.Part(0, 0.95));
        var buffers = sinks.Where(s => s is not null).Select(s => s.Buffer).ToList();
        var result = PairSet.FromBuffers(Images.Count, Texts.Count, buffers, budget.MaxPairs, scope, rowOrder, columnOrder);
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
    /// The operands a query runs on: the original ones, or — when pruning is on and pays — the reordered ones with the
    /// head filter for the rows' tolerances (in the reordered row order) and the maps back to the original indices.
    /// </summary>
    private (JoinOperands Op, HeadFilter? Filter, int[]? RowOrder, int[]? ColumnOrder) Plan(Func<int, double> epsilonOfRow,
        double largest, ExecutionScope scope)
    {
        bool forced = Options.Pruning == PruningMode.Always || Options.PruningDimension is not null;
        if (Options.Pruning == PruningMode.Never && Options.PruningDimension is null || double.IsInfinity(largest)
            || !forced && (double)Images.Count * Texts.Count * Images.Dimension < AutoPruningWork)
            return (operands.Get(scope), null, null, null);
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
        return (op, pruner.Filter(plan, i => (epsilonOfRow(rows[i]) + radii[rows[i]] + reach) * (1 + 1e-15), scope), rows, columns);
    }

    /// <summary>Below this much work (N·M·d multiply-adds) Auto does not prepare pruning: the join is over before it would pay.</summary>
    private const double AutoPruningWork = 1L << 34;

    /// <summary>
    /// What pruning did in the last query that planned it (null while no query has prepared pruning, or when these sets
    /// cannot be pruned), for benchmarks and tests.
    /// </summary>
    internal PruningStatistics? LastPruning => pruning.ValueIfBuilt?.Last;

    private static double MaxOver(Func<int, double> epsilonOfRow, int rows)
    {
        double max = 0;
        for (int i = 0; i < rows; i++) max = Math.Max(max, epsilonOfRow(i));
        return max;
    }

    private (float[] Candidate, float[] Sure) Thresholds(JoinOperands op, Func<int, double> epsilonOfRow, ExactCheck exact,
        int rowStart = 0, int rowEnd = -1)
    {
        var candidate = new float[Images.Count];
        var sure = new float[Images.Count];
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
            throw new ArgumentOutOfRangeException(name, epsilon, "A tolerance ε must be a non-negative number (+∞ selects every pair).");
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
