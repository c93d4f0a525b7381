using System.Diagnostics;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Fiber.Pruning;

/// <summary>
/// Exact pruning for the ε-join (Euclidean; cosine and angular through the chord of the unit vectors), per instance:
/// the principal axes (<see cref="PrincipalAxes"/>), the heads along them (<see cref="HeadProjector"/>), the k-d order
/// (<see cref="OrderedSets"/>), and per query a plan from the cost model (<see cref="CostModel"/>, fed by
/// <see cref="TileSurvival"/>) and the filter that carries it out (<see cref="HeadFilter"/>, with the
/// <see cref="ClusterBound"/> from a head dimension's second use on). A tile none of whose pairs can be within ε plus
/// the heads' error bounds is skipped; every other tile is computed in full exactly as without pruning, so the answer
/// never changes. What it prepares is kept for later queries; a preparation that is cancelled leaves nothing behind.
/// </summary>
/// <remarks>
/// Large sets in many dimensions start from a cheap screening basis (the span of a few sampled rows, no
/// eigendecomposition), enough for the first look to see that nothing prunes; it is replaced by the principal axes
/// before anything is pruned. Callers serialise <see cref="Choose"/> (it may replace the basis).
/// </remarks>
internal sealed class PruningPlanner
{
    /// <summary>Below this dimension heads gain nothing over the full vectors: no pruning.</summary>
    public const int MinDimension = 16;

    /// <summary>Heads are float32 dot products of the raw vectors: magnitudes above this could overflow them.</summary>
    public const double MaxMagnitude = 1 << 30;

    /// <summary>Rows per side the cost model's pairs are sampled from.</summary>
    private const int SampleRows = 128, SampleColumns = 256;

    // The sets the heads are taken from (unit vectors for the cosine and angular metrics), and the sets as given.
    private readonly EmbeddingSet images, texts, rawImages, rawTexts;
    private readonly FiberMetric metric;
    private readonly CostModel cost;
    private readonly double quantum, unitError;
    private readonly Lock orderedGate = new();
    private readonly Dictionary<int, QuantizedHeads> heads = [];
    private readonly Dictionary<(int, int), LeadingHeads> leadingHeads = [];
    private readonly Dictionary<(double, bool), PruningPlan> choices = [];
    private readonly Dictionary<string, double> phases;
    // The basis and what depends on it, replaced together.
    private (HeadProjector Projector, HeadSample X, HeadSample Y) axes;
    private Basis? screeningSpan; // while screening: the span the principal axes start from
    private OrderedSets? ordered;

    private PruningPlanner(EmbeddingSet images, EmbeddingSet texts, EmbeddingSet rawImages, EmbeddingSet rawTexts,
        FiberMetric metric, CostModel cost, Basis basis, bool screening, Dictionary<string, double> phases,
        ExecutionScope scope)
    {
        this.phases = phases;
        (this.images, this.texts, this.rawImages, this.rawTexts, this.metric, this.cost) =
            (images, texts, rawImages, rawTexts, metric, cost);
        // A normalised float32 row is within 2^-24 (plus subnormal rounding) of the exact unit vector.
        unitError = metric == FiberMetric.Euclidean ? 0 : Math.ScaleB(1, -23) + images.Dimension * Math.ScaleB(1, -148);
        quantum = HeadProjector.QuantumFor(Math.Sqrt(Math.Max(MaxSquaredNorm(images), MaxSquaredNorm(texts))));
        axes = Timed("sample heads", () => Along(basis, scope));
        if (screening) screeningSpan = basis;
    }

    /// <summary>
    /// Seconds spent so far in each step of the preparation and planning (for benchmarks): a snapshot.
    /// </summary>
    public IReadOnlyDictionary<string, double> Phases
    {
        get
        {
            lock (phases) return new Dictionary<string, double>(phases);
        }
    }

    /// <summary>Runs one step and adds its wall time to <see cref="Phases"/>.</summary>
    private T Timed<T>(string phase, Func<T> step)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            return step();
        }
        finally
        {
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            lock (phases) phases[phase] = phases.GetValueOrDefault(phase) + seconds;
        }
    }

    /// <summary>The statistics of the last query (for benchmarks and tests).</summary>
    public PruningStatistics Last { get; private set; } = new(0, 0, double.NaN);

    /// <summary>
    /// A planner with the principal axes from evenly spaced samples of both sets (deterministic), or null when pruning
    /// cannot gain or cannot be bounded: d below 16, magnitudes above 2^30, no rows, or a zero row under a cosine
    /// metric.
    /// </summary>
    public static PruningPlanner? Create(EmbeddingSet rawImages, EmbeddingSet rawTexts, FiberMetric metric,
        ExecutionScope scope)
    {
        // A zero row has no cosine: the plain join reports it.
        if (metric != FiberMetric.Euclidean && (HasZeroRow(rawImages) || HasZeroRow(rawTexts))) return null;
        // Heads are taken from the float32 vectors the filter reads (for float64 sets their rounding: the caller widens
        // each tolerance by the rounding radii, so the heads bound the distances of the rounded vectors).
        var (images, texts) = metric == FiberMetric.Euclidean
            ? (rawImages.Working, rawTexts.Working)
            : (rawImages.UnitVectors, rawTexts.UnitVectors);
        if (images is null || texts is null) return null;
        int d = images.Dimension;
        if (d < MinDimension || images.Count == 0 || texts.Count == 0) return null;
        if (!(Math.Max(images.MaxMagnitude, texts.MaxMagnitude) <= MaxMagnitude)) return null;
        // Large sets in many dimensions start from the screening span; the principal axes wait until the first look
        // says pruning may pay.
        const int Span = PrincipalAxes.ScreeningRows;
        bool screening = Math.Min(images.Count, texts.Count) > 2 * Span && d > 2 * Span + 1;
        var cost = new CostModel(CostTable.Measured, d);
        long start = Stopwatch.GetTimestamp();
        var sampled = PrincipalAxes.SampledSpan(images, texts);
        var phases = new Dictionary<string, double> { ["span"] = Stopwatch.GetElapsedTime(start).TotalSeconds };
        start = Stopwatch.GetTimestamp();
        var basis = sampled is null ? null
            : screening ? sampled
            : PrincipalAxes.Fit(images, texts, sampled, cost.MaxAxes, scope);
        if (!screening) phases["axes"] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return basis is null ? null
            : new PruningPlanner(images, texts, rawImages, rawTexts, metric, cost, basis, screening, phases, scope);
    }

    /// <summary>
    /// The projector along a basis and the heads of the rows the cost model samples (other rows than the axes were
    /// fitted to).
    /// </summary>
    private (HeadProjector, HeadSample, HeadSample) Along(Basis basis, ExecutionScope scope)
    {
        var projector = new HeadProjector(basis, quantum, unitError);
        var x = HeadSample.Of(projector, images, EvenSample.Rows(images.Count, SampleRows, shift: true), scope);
        var y = HeadSample.Of(projector, texts, EvenSample.Rows(texts.Count, SampleColumns, shift: true), scope);
        return (projector, x, y);
    }

    /// <summary>
    /// Replaces a screening basis by the principal axes (before anything is pruned; unchanged if cancelled).
    /// </summary>
    private void EnsurePrincipalAxes(ExecutionScope scope)
    {
        if (screeningSpan is null) return;
        var span = screeningSpan;
        var basis = Timed("axes", () => PrincipalAxes.Fit(images, texts, span, cost.MaxAxes, scope))
            ?? throw new InvalidOperationException(
                "The principal axes could not be computed (or were not orthonormal to 10^-6) from a sampled span " +
                "that could.");
        axes = Timed("sample heads", () => Along(basis, scope));
        screeningSpan = null;
    }

    /// <summary>
    /// The head dimension and checkpoint to prune with at chords up to <paramref name="chord"/> (dimension 0: the plain
    /// join): forced (with a checkpoint at about half of it), or the cheapest by the cost model when
    /// <paramref name="always"/>, or the cheapest if Auto finds it worthwhile.
    /// </summary>
    public PruningPlan Choose(double chord, bool always, int? forced, ExecutionScope scope)
    {
        PruningPlan plan;
        if (forced is { } k)
        {
            EnsurePrincipalAxes(scope);
            plan = cost.Forced(k, axes.Projector.Axes);
        }
        else if (!choices.TryGetValue((chord, always), out plan))
        {
            plan = Estimate(chord, always, scope);
            if (choices.Count < 256) choices[(chord, always)] = plan;
        }
        Last = new PruningStatistics(plan.Dimension, plan.Checkpoint, plan.EstimatedCost);
        return plan;
    }

    private PruningPlan Estimate(double chord, bool always, ExecutionScope scope)
    {
        // Optimistic first look from sampled pairs (a tile survives at least as often as one of its pairs): if even
        // that cannot pay, do not prepare anything more. With the screening basis only its whole span is meaningful
        // (its vectors are in no particular order); a heuristic: pairs that the span of 193 sampled rows cannot
        // separate are not separated by at most 193 principal axes fitted to samples either, in the data seen so far.
        if (screeningSpan is not null)
        {
            int span = axes.Projector.Axes;
            double screened = cost.Cost(span, PairSurvival(chord, [span])[0]);
            if (cost.Declines(screened, always)) return PruningPlan.None(screened);
            EnsurePrincipalAxes(scope);
        }
        var candidates = cost.Candidates(axes.Projector.Axes);
        double optimistic = cost.Cheapest(candidates, PairSurvival(chord, candidates));
        if (cost.Declines(optimistic, always)) return PruningPlan.None(optimistic);
        var sets = Ordered(scope);
        var (survival, leading) = Timed("tile sample", () => TileSurvival.OfTiles(axes.Projector, images,
            sets.RowOrder, texts, sets.ColumnOrder, TileKernels.Height, chord, candidates, scope));
        return cost.Best(candidates, survival, leading, always);
    }

    /// <summary>The fraction of the sampled pairs whose head is within the chord, per head dimension.</summary>
    private double[] PairSurvival(double chord, int[] ks)
    {
        var (_, x, y) = axes;
        var columns = Enumerable.Range(0, y.Count);
        return Timed("pair sample",
            () => TileSurvival.OfPairs(x, Enumerable.Range(0, x.Count), y, _ => columns, chord, quantum, ks).Within);
    }

    /// <summary>The sets in k-d order, built by the first query that needs them.</summary>
    private OrderedSets Ordered(ExecutionScope scope)
    {
        lock (orderedGate)
        {
            if (screeningSpan is not null)
                throw new InvalidOperationException("Pruning needs the principal axes, not the screening basis.");
            if (ordered is not null) return ordered;
            ordered = new OrderedSets(axes.Projector, images, texts, rawImages, rawTexts, metric, scope);
            lock (phases) phases["k-d order"] = ordered.OrderSeconds;
            return ordered;
        }
    }

    /// <summary>
    /// The full operands in pruning order, and the maps from that order back to the original indices.
    /// </summary>
    public (JoinOperands Operands, int[] RowOrder, int[] ColumnOrder) Full(ExecutionScope scope)
    {
        var sets = Ordered(scope);
        var op = Timed("pack", () => sets.Operands(scope));
        return (op, sets.RowOrder, sets.ColumnOrder);
    }

    /// <summary>
    /// The Euclidean tolerance on the vectors the heads come from that keeps every pair within ε of the metric: ε
    /// itself, or for the cosine and angular metrics the chord √(2(1 − cos)) of the unit vectors, widened by 10^-9
    /// in 1 − cos for the rounding of the reference's cosine and arccosine.
    /// </summary>
    public double Chord(double epsilon) => metric switch
    {
        FiberMetric.Euclidean => epsilon,
        FiberMetric.Cosine => Math.Sqrt(2 * (epsilon + 1e-9)),
        _ => epsilon >= Math.PI ? 2 + 1e-9 : Math.Sqrt(2 * (1 - Math.Cos(epsilon) + 1e-9)),
    };

    /// <summary>The head filter of a plan at per-row tolerances (rows in pruning order).</summary>
    public HeadFilter Filter(PruningPlan plan, Func<int, double> epsilonOfRow, ExecutionScope scope)
    {
        int k = plan.Dimension, checkpoint = plan.Checkpoint;
        var sets = Ordered(scope);
        QuantizedHeads head;
        LeadingHeads? leading = null;
        lock (heads)
        {
            if (!heads.TryGetValue(k, out head!))
                heads[k] = head = Timed("heads",
                    () => axes.Projector.Quantize(images, sets.RowOrder, texts, sets.ColumnOrder, k, scope));
            // The cluster bound costs about what it saves in one query (it pays on data in tight clusters): it is
            // prepared when the heads are used a second time.
            else if (head.GapHeight == 0)
            {
                var unbounded = head;
                heads[k] = head = Timed("cluster bound",
                    () => ClusterBound.With(unbounded, images.Count, texts.Count, TileKernels.Height, scope));
            }
            if (checkpoint > 0 && !leadingHeads.TryGetValue((k, checkpoint), out leading))
            {
                var whole = head;
                leadingHeads[(k, checkpoint)] = leading = Timed("leading",
                    () => axes.Projector.Leading(whole, checkpoint, images, sets.RowOrder, texts, sets.ColumnOrder));
            }
        }
        var bound = new double[head.NormsX.Length];
        for (int i = 0; i < bound.Length; i++)
            bound[i] = (Chord(epsilonOfRow(i)) + head.ErrorX[i] + head.ErrorY) / quantum;
        var threshold = Thresholds(head.NormsX, i => bound[i]);
        // A micro-panel's reach for the cluster bound: the largest bound of its rows, rounded up to float32.
        int height = head.GapHeight;
        var reach = head.Gaps is null ? [] : new float[(bound.Length + height - 1) / height];
        for (int i = 0; i < bound.Length && reach.Length > 0; i++)
            reach[i / height] = Math.Max(reach[i / height], JoinOperands.UpToSingle(bound[i]));
        if (leading is null) return new HeadFilter(head, threshold, reach);
        var leadingThreshold = Thresholds(leading.NormsX,
            i => (Chord(epsilonOfRow(i)) + leading.ErrorX[i] + leading.ErrorY) / quantum);
        return new HeadFilter(head, threshold, reach, leading, leadingThreshold);
    }

    /// <summary>
    /// Per row ‖q_x‖² − R with R = ⌊bound²⌋ (bound in quanta), the largest squared integer head distance
    /// within the widened bound (rounded up by 10^-12: more than the float64 rounding of the quotient and its square).
    /// Outside ±2^30 the kernel's test has a fixed outcome (|2 q_x·q_y − ‖q_y‖²| ≤ 3 (2^14 + 9)² &lt;
    /// 2^30), so clamping there is exact.
    /// </summary>
    internal static int[] Thresholds(int[] normsX, Func<int, double> bound)
    {
        var threshold = new int[normsX.Length];
        for (int i = 0; i < threshold.Length; i++)
        {
            double b = bound(i);
            double r = Math.Min(Math.Floor(b * b * (1 + 1e-12)), 1L << 40);
            threshold[i] = (int)Math.Clamp(normsX[i] - (long)r, -(1L << 30), 1L << 30);
        }
        return threshold;
    }

    /// <summary>Adds what a query's filter did to <see cref="Last"/>.</summary>
    public void Record(HeadFilter filter) => Last = Last with
    {
        Skipped = filter.Skipped, Computed = filter.Computed,
        PassedCheckpoint = filter.PassedCheckpoint, SkippedByBalls = filter.SkippedByBalls,
    };

    private static double MaxSquaredNorm(EmbeddingSet set)
    {
        double max = 0;
        foreach (double norm in set.SquaredNorms) max = Math.Max(max, norm);
        return max;
    }

    private static bool HasZeroRow(EmbeddingSet set)
    {
        foreach (double norm in set.SquaredNorms) if (norm == 0) return true;
        return false;
    }
}
