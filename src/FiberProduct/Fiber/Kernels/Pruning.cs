using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FiberProduct.Embedding;
using MathNet.Numerics.LinearAlgebra;

namespace FiberProduct.Fiber.Kernels;

/// <summary>
/// Exact pruning for the ε-join (Euclidean; cosine and angular through the chord of the unit vectors). Both sets are
/// rotated onto the principal axes of the pairwise differences (an orthogonal change of basis keeps every distance); a
/// vector x becomes its head h̃(x) = (q_1·x, …, q_k·x, ‖x_tail‖), the k leading coordinates and the norm of the rest, so
/// that ‖h̃(x) − h̃(y)‖ ≤ ‖x − y‖ (Pythagoras and the reverse triangle inequality on the tail; with k = 0 it is the norm
/// bound |‖x‖ − ‖y‖|). Rows and columns are joined in k-d tree order over the leading heads, so that a micro-panel and
/// a panel hold nearby points, and the join computes each tile first over the head coordinates — quantised to int16 in
/// steps of a power of two, so the head tiles are exact integer dot products, twice as many per instruction as float32
/// ones — the leading ones up to a checkpoint, then the rest if some pair is still possible: a tile none of whose pairs
/// can be within ε + (the rounding and the quantisation of the heads) is skipped, the others are computed in full on
/// the original vectors exactly as without pruning; tiles whose balls of heads lie too far apart are skipped before
/// that (the cluster bound). A cost model picks k and the checkpoint per query from the measured survival of sampled
/// tiles, or no pruning when nothing prunes.
/// </summary>
internal sealed class Pruning
{
    /// <summary>Auto prunes only when the estimate is at most this fraction of the plain join (the estimate is rough).</summary>
    private const double Worthwhile = 0.8;

    /// <summary>Quantised heads have norms below 2^14 (and so coordinates too): integer dot products stay far inside int32.</summary>
    private const int QuantizedBits = 14;

    private const int CovarianceRows = 1024, ScreeningRows = 96, SampleRows = 128, SampleColumns = 256, SampledTiles = 384, SampledPanels = 96, TileOverhead = 8;
    private static readonly int[] Dimensions = [8, 16, 24, 32, 48, 64, 96, 128, 160, 192, 256];

    // The sets the heads are taken from (unit vectors for the cosine and angular metrics), and the sets as given.
    private readonly EmbeddingSet images, texts, rawImages, rawTexts;
    private readonly FiberMetric metric;
    private readonly double unitError;
    private readonly int d;
    // The basis and what depends on it. At first possibly a screening basis — the span of a few sampled rows, no
    // eigendecomposition — enough for the first look to see that nothing prunes; replaced by the principal axes before
    // anything is pruned.
    private int kMax;
    private Basis? sampledSpan; // while screening: the span the principal axes start from
    private float[] packedBasis = [];
    private double eta;
    private float[] sampleX = [], sampleY = [];
    private double[] sampleNormsX = [], sampleNormsY = [];
    private bool screening;
    private readonly Lazy<Ordered> ordered;
    private readonly Dictionary<int, (RangeJoin.QuantizedHeads Heads, double[] ErrorX, double ErrorY)> heads = [];
    private readonly Dictionary<(int, int), (int[] NormsX, int[] NormsY, double[] ErrorX, double ErrorY)> partials = [];
    // The step heads are quantised to int16 in: a power of two that keeps every head (its norm is the vector's) ≤ 2^14.
    private readonly double quantum;
    private readonly Dictionary<(double, bool), Plan> choices = [];

    private Pruning(EmbeddingSet images, EmbeddingSet texts, EmbeddingSet rawImages, EmbeddingSet rawTexts, FiberMetric metric, Basis basis, bool screening)
    {
        this.images = images;
        this.texts = texts;
        this.rawImages = rawImages;
        this.rawTexts = rawTexts;
        this.metric = metric;
        // A normalised float32 row is within 2^-24 (plus subnormal rounding) of the exact unit vector.
        unitError = metric == FiberMetric.Euclidean ? 0 : Math.ScaleB(1, -23) + images.Dimension * Math.ScaleB(1, -148);
        d = images.Dimension;
        double largest = Math.Sqrt(Math.Max(MaxSquaredNorm(images), MaxSquaredNorm(texts))) * (1 + 1.0 / 1024);
        quantum = largest == 0 ? 1 : Math.ScaleB(1, Math.ILogB(largest) + 1 - QuantizedBits);
        UseBasis(basis);
        this.screening = screening;
        if (screening) sampledSpan = basis;
        ordered = new Lazy<Ordered>(() => new Ordered(this));
    }

    private void UseBasis(Basis basis)
    {
        kMax = basis.Count;
        // The basis vectors are the "texts" of the tile kernel: heads are their dot products with the rows.
        packedBasis = PackRows(basis.Rows, kMax, d);
        // Each head coordinate is a float32 dot product with a float32 copy of a unit vector: its error is at most
        // η‖x‖ with η = γ_d (the dot product) + 2^-23 (rounding the basis and the result) + the basis' departure from
        // orthonormality.
        double unit = Math.ScaleB(1, -24);
        eta = (d + 2) * unit / (1 - (d + 2) * unit) + 2 * unit + 2 * basis.Orthogonality + 1e-15;
        // Estimate on other rows than the axes were fitted to: in-sample pairs look more prunable than they are.
        (sampleX, sampleNormsX) = Heads(images, Sample(images.Count, SampleRows, shift: true));
        (sampleY, sampleNormsY) = Heads(texts, Sample(texts.Count, SampleColumns, shift: true));
    }

    /// <summary>Replaces a screening basis by the principal axes (before anything is pruned).</summary>
    private void EnsureFullBasis()
    {
        if (!screening) return;
        UseBasis(PrincipalAxes(images, texts, sampledSpan!)
            ?? throw new InvalidOperationException("The principal axes could not be computed (or were not orthonormal to 10^-6) from a sampled span that could."));
        screening = false;
        sampledSpan = null;
    }

    /// <summary>A head dimension k (0: no pruning), the leading coordinates tested first (0: none), and the estimated cost.</summary>
    public readonly record struct Plan(int Dimension, int Checkpoint, double EstimatedCost);

    /// <summary>The plan of the last query (for benchmarks and tests), with the tiles it skipped, computed in full, and passed at the checkpoint.</summary>
    public (int Dimension, int Checkpoint, long Skipped, long Computed, long PassedCheckpoint, long SkippedByBalls, double EstimatedCost) Last { get; private set; }

    /// <summary>
    /// Principal axes from evenly spaced samples of both sets (deterministic), or null when d is too small to gain. For
    /// the cosine and angular metrics the bound works on the unit vectors, where both are functions of the chord.
    /// </summary>
    public static Pruning? Create(EmbeddingSet rawImages, EmbeddingSet rawTexts, FiberMetric metric)
    {
        // A zero row has no cosine: the plain join reports it.
        if (metric != FiberMetric.Euclidean && (HasZeroRow(rawImages) || HasZeroRow(rawTexts))) return null;
        // Heads are taken from the float32 vectors the filter reads (for float64 sets their rounding: the caller widens
        // each tolerance by the rounding radii, so the heads bound the distances of the rounded vectors).
        var (images, texts) = metric == FiberMetric.Euclidean ? (rawImages.Working, rawTexts.Working) : (rawImages.UnitVectors, rawTexts.UnitVectors);
        if (images is null || texts is null) return null;
        int d = images.Dimension;
        if (d < 16 || images.Count == 0 || texts.Count == 0) return null;
        // Heads are float32 dot products of the raw vectors: keep them far from overflow.
        if (!(Math.Max(images.MaxMagnitude, texts.MaxMagnitude) <= 1 << 30)) return null;
        // Large sets in many dimensions start from the cheap screening basis (the span of sampled rows); the principal
        // axes wait until the first look says pruning may pay.
        bool screening = Math.Min(images.Count, texts.Count) > 2 * ScreeningRows && d > 2 * ScreeningRows + 1;
        var sampled = SampleSpan(images, texts);
        var basis = sampled is null ? null : screening ? sampled : PrincipalAxes(images, texts, sampled);
        return basis is null ? null : new Pruning(images, texts, rawImages, rawTexts, metric, basis, screening);
    }

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

    /// <summary>Orthonormal rows (Count × d, float64) and their measured departure from orthonormality (NaN: none claimed).</summary>
    private sealed record Basis(double[] Rows, int Count, int Dimension, double Orthogonality);

    /// <summary>
    /// An orthonormal basis of the span of 96 evenly spaced rows per side (centred) and the mean difference, by
    /// modified Gram–Schmidt: no eigendecomposition. It decides that nothing prunes, and starts the principal axes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Basis? SampleSpan(EmbeddingSet images, EmbeddingSet texts)
    {
        int d = images.Dimension;
        var (a, n) = Differences(images, texts, ScreeningRows);
        var rows = new double[a.Length];
        for (int i = 0; i < a.Length; i++) rows[i] = a[i];
        // One pass: the span only estimates, and seeds the principal axes, which are orthonormalised again.
        int r = Orthonormalize(rows, n, d, passes: 1);
        // No rounding bound is claimed for it (NaN): Ordered refuses to prune with it.
        return r == 0 ? null : new Basis(rows[..(r * d)], r, d, double.NaN);
    }

    /// <summary>
    /// The principal axes: E‖x − y‖² along a unit q is qᵀ(C_x + C_y + δδᵀ)q, δ = μ_x − μ_y, so the leading eigenvectors
    /// of that matrix capture the most distance. Estimated from up to 1,024 evenly spaced rows per side by Rayleigh–Ritz
    /// on a subspace (the sampled span after one step of subspace iteration) instead of a d × d eigendecomposition;
    /// with their measured departure from orthonormality, or null if that exceeds 10^-6.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Basis? PrincipalAxes(EmbeddingSet images, EmbeddingSet texts, Basis start)
    {
        int d = images.Dimension;
        // A = [X_c/√n_x; Y_c/√n_y; δ] has AᵀA = C_x + C_y + δδᵀ; heads of A's rows along q are A q.
        var (a, n) = Differences(images, texts, CovarianceRows);
        var packedColumns = PackColumns(a, n, d);
        var q = start.Rows;
        int r = start.Count;
        // Q ← orth(Q AᵀA): one step of subspace iteration (float32 products; only the directions matter). On the tiled
        // CLIP pairs the sampled span alone let 75 % of tiles be skipped where the d × d eigendecomposition let 91 %;
        // after one step, 90 %; a second step did not make the join faster.
        var projections = Transpose(RangeJoin.Products(a, n, d, PackRows(q, r, d), r), n, r);
        var next = RangeJoin.Products(projections, r, n, packedColumns, d);
        q = new double[r * d];
        for (int i = 0; i < q.Length; i++) q[i] = next[i];
        r = Orthonormalize(q, r, d);
        if (r == 0) return null;
        // Rayleigh–Ritz: T = Q AᵀA Qᵀ = PᵀP with P = A Qᵀ; its eigenvectors V give the Ritz vectors Vᵀ Q.
        var p = Transpose(RangeJoin.Products(a, n, d, PackRows(q, r, d), r), n, r);
        var gram = RangeJoin.Products(p, r, n, JoinOperands.Pack(p, r, n, Panels(r)), r);
        var t = Matrix<double>.Build.Dense(r, r, (i, j) => 0.5 * ((double)gram[i * r + j] + gram[j * r + i]));
        var evd = t.Evd(Symmetricity.Symmetric);
        double top = Enumerable.Range(0, r).Select(i => evd.EigenValues[i].Real).DefaultIfEmpty(0).Max();
        int kMax = Math.Min(Dimensions[^1], d * 3 / 4);
        var order = Enumerable.Range(0, r).Where(i => evd.EigenValues[i].Real > 1e-10 * top).OrderByDescending(i => evd.EigenValues[i].Real).Take(kMax).ToArray();
        if (order.Length == 0) return null;
        var basis = new double[order.Length * d];
        for (int k = 0; k < order.Length; k++)
        {
            var target = basis.AsSpan(k * d, d);
            for (int j = 0; j < r; j++) Axpy(evd.EigenVectors[j, order[k]], q.AsSpan(j * d, d), target);
        }
        double orthogonality = Orthogonality(basis, order.Length, d);
        return orthogonality > 1e-6 ? null : new Basis(basis, order.Length, d, orthogonality);
    }

    private static int Panels(int count) => (count + JoinOperands.PanelWidth - 1) / JoinOperands.PanelWidth;

    /// <summary>The first <paramref name="count"/> rows of a float64 matrix, rounded to float32 and packed as the "texts" of the tile kernel.</summary>
    private static float[] PackRows(double[] rows, int count, int d)
    {
        var single = new float[count * d];
        for (int i = 0; i < single.Length; i++) single[i] = (float)rows[i];
        return JoinOperands.Pack(single, count, d, Panels(count));
    }

    /// <summary>
    /// The columns of a rows × columns row-major matrix packed as the "texts" of the tile kernel (what packing its
    /// transpose gives, without the transpose): panel p, coordinate k, lane l holds m[k, 16p + l], a contiguous run.
    /// </summary>
    private static float[] PackColumns(float[] m, int rows, int columns)
    {
        int panels = Panels(columns);
        var packed = new float[panels * JoinOperands.PanelWidth * rows];
        for (int p = 0; p < panels; p++)
        {
            int lanes = Math.Min(JoinOperands.PanelWidth, columns - p * JoinOperands.PanelWidth);
            for (int k = 0; k < rows; k++)
                m.AsSpan(k * columns + p * JoinOperands.PanelWidth, lanes).CopyTo(packed.AsSpan((p * rows + k) * JoinOperands.PanelWidth));
        }
        return packed;
    }

    /// <summary>The transpose of a rows × columns row-major matrix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float[] Transpose(float[] m, int rows, int columns)
    {
        var result = new float[m.Length];
        for (int i0 = 0; i0 < rows; i0 += 16)
            for (int j0 = 0; j0 < columns; j0 += 16)
                for (int i = i0; i < Math.Min(rows, i0 + 16); i++)
                    for (int j = j0; j < Math.Min(columns, j0 + 16); j++) result[j * rows + i] = m[i * columns + j];
        return result;
    }

    /// <summary>
    /// Evenly spaced rows of both sets centred by their sample means and scaled by 1/√n, and the mean difference: the rows
    /// of A with AᵀA = C_x + C_y + δδᵀ up to a common power of two (row-major, float32), and their number.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (float[] Rows, int Count) Differences(EmbeddingSet images, EmbeddingSet texts, int perSide)
    {
        int d = images.Dimension;
        var rowsX = Sample(images.Count, perSide, shift: false);
        var rowsY = Sample(texts.Count, perSide, shift: false);
        var mx = Mean(images, rowsX);
        var my = Mean(texts, rowsY);
        int n = rowsX.Length + rowsY.Length + 1;
        // Scaled by a power of two to magnitudes near 1, so that float32 products neither underflow nor overflow (only
        // directions matter here).
        double largest = Math.Max(images.MaxMagnitude, texts.MaxMagnitude);
        double unit = largest == 0 ? 1 : Math.ScaleB(1, -Math.ILogB(largest));
        var a = new float[n * d];
        int at = 0;
        foreach (var (set, rows, mean) in new[] { (images, rowsX, mx), (texts, rowsY, my) })
        {
            double scale = unit / Math.Sqrt(rows.Length);
            foreach (int i in rows)
            {
                var row = set.Row(i);
                for (int c = 0; c < d; c++) a[at * d + c] = (float)((row[c] - mean[c]) * scale);
                at++;
            }
        }
        for (int c = 0; c < d; c++) a[at * d + c] = (float)((mx[c] - my[c]) * unit);
        return (a, n);
    }

    /// <summary>
    /// Orthonormalises the first <paramref name="count"/> rows (of length d) in place by modified Gram–Schmidt, applied
    /// twice ("twice is enough") unless one pass is enough for the purpose, dropping rows that keep less than 10^-8 of
    /// their norm; returns how many remain (at the front).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Orthonormalize(double[] rows, int count, int d, int passes = 2)
    {
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            var v = rows.AsSpan(i * d, d);
            double before = Math.Sqrt(Dot(v, v));
            for (int pass = 0; pass < passes; pass++)
                for (int j = 0; j < kept; j++)
                {
                    var qj = rows.AsSpan(j * d, d);
                    Axpy(-Dot(qj, v), qj, v);
                }
            double after = Math.Sqrt(Dot(v, v));
            if (!(after > 1e-8 * before)) continue;
            var target = rows.AsSpan(kept * d, d);
            for (int c = 0; c < d; c++) target[c] = v[c] / after;
            kept++;
        }
        return kept;
    }

    /// <summary>‖B Bᵀ − I‖_F for orthonormal rows B (count × d), in float64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Orthogonality(double[] rows, int count, int d)
    {
        double sum = 0;
        for (int i = 0; i < count; i++)
            for (int j = 0; j <= i; j++)
            {
                double e = Dot(rows.AsSpan(i * d, d), rows.AsSpan(j * d, d)) - (i == j ? 1 : 0);
                sum += (i == j ? 1 : 2) * e * e;
            }
        return Math.Sqrt(sum);
    }

    // Own vector loops rather than TensorPrimitives: inlined into the AggressiveOptimization callers, they run at full
    // speed from the first call (a library generic starts in tier 0, and a single cold query never leaves it).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var sum = System.Numerics.Vector<double>.Zero;
        int c = 0, w = System.Numerics.Vector<double>.Count;
        for (; c <= x.Length - w; c += w) sum += new System.Numerics.Vector<double>(x[c..]) * new System.Numerics.Vector<double>(y[c..]);
        double total = System.Numerics.Vector.Sum(sum);
        for (; c < x.Length; c++) total += x[c] * y[c];
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        var a = new System.Numerics.Vector<double>(alpha);
        int c = 0, w = System.Numerics.Vector<double>.Count;
        for (; c <= x.Length - w; c += w) (new System.Numerics.Vector<double>(y[c..]) + a * new System.Numerics.Vector<double>(x[c..])).CopyTo(y[c..]);
        for (; c < x.Length; c++) y[c] += alpha * x[c];
    }

    /// <summary>
    /// The head dimension and checkpoint to prune with at tolerances up to <paramref name="epsilon"/> (dimension 0: the
    /// plain join): forced (with a checkpoint at about half of it), or the cheapest by the cost model when
    /// <paramref name="always"/>, or the cheapest if it saves at least 20 %.
    /// </summary>
    public Plan Choose(double epsilon, bool always, int? forced)
    {
        Plan plan;
        if (forced is { } k0)
        {
            EnsureFullBasis();
            int k = Math.Min(k0, kMax);
            plan = new Plan(k, Dimensions.Where(c => c <= k / 2).DefaultIfEmpty(0).Max(), double.NaN);
        }
        else if (!choices.TryGetValue((epsilon, always), out plan))
        {
            plan = Estimate(epsilon, always);
            if (choices.Count < 256) choices[(epsilon, always)] = plan;
        }
        Last = (plan.Dimension, plan.Checkpoint, 0, 0, 0, 0, plan.EstimatedCost);
        return plan;
    }

    /// <summary>The head sizes the cost model weighs: the candidates below kMax, and kMax.</summary>
    private int[] Candidates() => Dimensions.Where(k => k < kMax).Append(kMax).ToArray();

    private Plan Estimate(double epsilon, bool always)
    {
        // Optimistic first look from sampled pairs (a tile survives at least as often as one of its pairs): if even that
        // cannot pay, do not prepare anything more. With the screening basis only its whole span is meaningful (its
        // vectors are in no particular order); a heuristic: pairs that the span of 193 sampled rows cannot separate are
        // not separated by at most 193 principal axes fitted to samples either, in the data seen so far.
        if (screening)
        {
            int[] span = [kMax];
            double screened = Cost(kMax, SurvivingFraction(sampleX, sampleNormsX, Enumerable.Range(0, sampleNormsX.Length), sampleY, sampleNormsY,
                i => Enumerable.Range(0, sampleNormsY.Length), epsilon, span).Within[0]);
            if (!always && screened > Worthwhile) return new Plan(0, 0, screened);
            EnsureFullBasis();
        }
        var candidates = Candidates();
        var pairFraction = SurvivingFraction(sampleX, sampleNormsX, Enumerable.Range(0, sampleNormsX.Length), sampleY, sampleNormsY,
            i => Enumerable.Range(0, sampleNormsY.Length), epsilon, candidates).Within;
        double optimistic = candidates.Select((k, c) => Cost(k, pairFraction[c])).Min();
        if (!always && optimistic > Worthwhile) return new Plan(0, 0, optimistic);
        var o = ordered.Value;
        var (survival, leading) = o.TileSurvival(epsilon, candidates);
        var best = new Plan(0, 0, double.PositiveInfinity);
        for (int c = 0; c < candidates.Length; c++)
        {
            if (Cost(candidates[c], survival[c]) < best.EstimatedCost) best = new Plan(candidates[c], 0, Cost(candidates[c], survival[c]));
            // A checkpoint b: the leading b coordinates of every tile, the rest of those that pass.
            for (int b = 0; b < c; b++)
            {
                double cost = Cost(candidates[b], 0) + leading[b] * Cost(candidates[c] - candidates[b], 0) + survival[c];
                if (cost < best.EstimatedCost) best = new Plan(candidates[c], candidates[b], cost);
            }
        }
        return !always && best.EstimatedCost > Worthwhile ? best with { Dimension = 0, Checkpoint = 0 } : best;
    }

    /// <summary>The full operands in pruning order, and the maps from that order back to the original indices.</summary>
    public (JoinOperands Operands, int[] RowOrder, int[] ColumnOrder) Full => (ordered.Value.Operands, ordered.Value.RowOrder, ordered.Value.ColumnOrder);

    /// <summary>
    /// The Euclidean tolerance on the vectors the heads come from that keeps every pair within ε of the metric: ε itself,
    /// or for the cosine and angular metrics the chord √(2(1 − cos)) of the unit vectors, widened by 10^-9 in 1 − cos
    /// for the rounding of the reference's cosine and arccosine.
    /// </summary>
    public double Chord(double epsilon) => metric switch
    {
        FiberMetric.Euclidean => epsilon,
        FiberMetric.Cosine => Math.Sqrt(2 * (epsilon + 1e-9)),
        _ => epsilon >= Math.PI ? 2 + 1e-9 : Math.Sqrt(2 * (1 - Math.Cos(epsilon) + 1e-9)),
    };

    /// <summary>The head filter of a plan at per-row tolerances (rows in pruning order).</summary>
    public RangeJoin.HeadFilter Filter(Plan plan, Func<int, double> epsilonOfRow)
    {
        int k = plan.Dimension, checkpoint = plan.Checkpoint;
        (RangeJoin.QuantizedHeads Heads, double[] ErrorX, double ErrorY) head;
        (int[] NormsX, int[] NormsY, double[] ErrorX, double ErrorY)? partial = null;
        lock (heads)
        {
            if (!heads.TryGetValue(k, out head)) heads[k] = head = ordered.Value.HeadOperands(k);
            // The cluster bound costs about what it saves in one query (it pays on data in tight clusters): it is
            // prepared when the heads are used a second time.
            else if (head.Heads.GapHeight == 0) heads[k] = head = head with { Heads = ordered.Value.WithGaps(head.Heads) };
            if (checkpoint > 0)
            {
                if (!partials.TryGetValue((k, checkpoint), out var leading)) partials[(k, checkpoint)] = leading = ordered.Value.Leading(head.Heads, checkpoint);
                partial = leading;
            }
        }
        var bound = new double[head.Heads.NormsX.Length];
        for (int i = 0; i < bound.Length; i++) bound[i] = (Chord(epsilonOfRow(i)) + head.ErrorX[i] + head.ErrorY) / quantum;
        var threshold = Thresholds(head.Heads.NormsX, i => bound[i]);
        // A micro-panel's reach for the cluster bound: the largest bound of its rows, rounded up to float32.
        int height = head.Heads.GapHeight;
        var reach = head.Heads.Gaps is null ? [] : new float[(bound.Length + height - 1) / height];
        for (int i = 0; i < bound.Length && reach.Length > 0; i++) reach[i / height] = Math.Max(reach[i / height], JoinOperands.UpToSingle(bound[i]));
        if (partial is not { } p) return new RangeJoin.HeadFilter(head.Heads, threshold, reach);
        var partialThreshold = Thresholds(p.NormsX, i => (Chord(epsilonOfRow(i)) + p.ErrorX[i] + p.ErrorY) / quantum);
        return new RangeJoin.HeadFilter(head.Heads, threshold, reach, checkpoint, p.NormsY, partialThreshold);
    }

    /// <summary>
    /// Per row ‖q_x‖² − R with R = ⌊bound²⌋ (bound in quanta), the largest squared integer head distance within the widened
    /// bound (rounded up by 10^-12: more than the float64 rounding of the quotient and its square). Outside ±2^30 the
    /// kernel's test has a fixed outcome (|2 q_x·q_y − ‖q_y‖²| ≤ 3 (2^14 + 9)² &lt; 2^30), so clamping there is exact.
    /// </summary>
    private static int[] Thresholds(int[] normsX, Func<int, double> bound)
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

    public void Record(RangeJoin.HeadFilter filter) =>
        Last = Last with { Skipped = filter.Skipped, Computed = filter.Computed, PassedCheckpoint = filter.PassedCheckpoint, SkippedByBalls = filter.SkippedByBalls };

    /// <summary>
    /// Estimated time relative to the plain join: the head pass over k + 1 quantised coordinates (plus a per-tile
    /// overhead, and 15 % for its lower efficiency, measured on 20,000 × 20,000 × 512) and the surviving tiles in full.
    /// </summary>
    private double Cost(int k, double survival) => 1.15 * ((k + 1) / QuantizedSpeedup + TileOverhead) / d + survival;

    /// <summary>How many times faster the int16 head kernel runs than the float32 one per coordinate (measured: 1.6 with AVX-512).</summary>
    private const double QuantizedSpeedup = 1.6;

    /// <summary>
    /// For each candidate k, the fraction of the given pairs whose head distance (with the tail) is within ε, and whose
    /// distance over the leading k coordinates alone is (estimates).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (double[] Within, double[] Leading) SurvivingFraction(float[] hx, double[] nx, IEnumerable<int> rows, float[] hy, double[] ny, Func<int, IEnumerable<int>> columnsOf, double epsilon, int[] ks)
    {
        var within = new long[ks.Length];
        var leading = new long[ks.Length];
        long pairs = 0;
        // The quantised heads' test is wider by a step per coordinate's worth (√m quanta over m coordinates).
        var withinBound = ks.Select(k => Square(epsilon + quantum * Math.Sqrt(k + 1))).ToArray();
        var leadingBound = ks.Select(k => Square(epsilon + quantum * Math.Sqrt(k))).ToArray();
        foreach (int i in rows)
            foreach (int j in columnsOf(i))
            {
                pairs++;
                int xi = i * kMax, yj = j * kMax;
                float head = 0, px = 0, py = 0;
                for (int c = 0, from = 0; c < ks.Length; from = ks[c], c++)
                {
                    int t = from;
                    if (ks[c] - from >= 8)
                    {
                        var (vh, vx, vy) = (Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero);
                        for (; t <= ks[c] - 8; t += 8)
                        {
                            var a = Vector256.Create(hx.AsSpan(xi + t, 8));
                            var b = Vector256.Create(hy.AsSpan(yj + t, 8));
                            vh += (a - b) * (a - b); vx += a * a; vy += b * b;
                        }
                        head += Vector256.Sum(vh); px += Vector256.Sum(vx); py += Vector256.Sum(vy);
                    }
                    for (; t < ks[c]; t++)
                    {
                        float a = hx[xi + t], b = hy[yj + t];
                        head += (a - b) * (a - b); px += a * a; py += b * b;
                    }
                    double tail = Math.Sqrt(Math.Max(0, nx[i] - px)) - Math.Sqrt(Math.Max(0, ny[j] - py));
                    if (head + tail * tail <= withinBound[c]) within[c]++;
                    if (head <= leadingBound[c]) leading[c]++;
                }
            }
        return (within.Select(w => pairs == 0 ? 0 : (double)w / pairs).ToArray(), leading.Select(w => pairs == 0 ? 0 : (double)w / pairs).ToArray());
    }

    private static double Square(double x) => x * x;

    /// <summary>Head coordinates (rows × kMax) and float64 squared norms of the given rows.</summary>
    private (float[] Heads, double[] Norms) Heads(EmbeddingSet set, int[] rows) =>
        (RangeJoin.Products(set.Memory, rows.Length, d, packedBasis, kMax, order: rows), rows.Select(set.SquaredNorm).ToArray());

    private static int[] Sample(int count, int size, bool shift)
    {
        int n = Math.Min(count, size);
        double step = (double)count / n, offset = shift ? step / 2 : 0;
        return Enumerable.Range(0, n).Select(i => Math.Min(count - 1, (int)(i * step + offset))).ToArray();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double[] Mean(EmbeddingSet set, int[] rows)
    {
        var mean = new double[set.Dimension];
        foreach (int r in rows) { var row = set.Row(r); for (int c = 0; c < mean.Length; c++) mean[c] += row[c]; }
        for (int c = 0; c < mean.Length; c++) mean[c] /= rows.Length;
        return mean;
    }

    /// <summary>The sets in k-d tree order of their heads, with the full operands and the heads of every row.</summary>
    private sealed class Ordered
    {
        private const int OrderingHeads = 16;
        private readonly Pruning owner;

        public Ordered(Pruning owner)
        {
            if (owner.screening) throw new InvalidOperationException("Pruning needs the principal axes, not the screening basis.");
            this.owner = owner;
            // The k-d order needs only the leading heads; the heads the join uses are taken later, at the chosen k and
            // already in pruning order. The two sides are independent.
            int width = Math.Min(OrderingHeads, owner.kMax);
            int[] rowOrder = [], columnOrder = [];
            Parallel.Invoke(
                () => rowOrder = KdOrder(RangeJoin.Products(owner.images.Memory, owner.images.Count, owner.d, owner.packedBasis, width), owner.images.Count, width, RangeJoin.TileHeight),
                () => columnOrder = KdOrder(RangeJoin.Products(owner.texts.Memory, owner.texts.Count, owner.d, owner.packedBasis, width), owner.texts.Count, width, JoinOperands.PanelWidth));
            (RowOrder, ColumnOrder) = (rowOrder, columnOrder);
            // The join gathers rows through the order and packs the texts in it: no reordered copies of the sets.
            Operands = new JoinOperands(owner.rawImages, owner.rawTexts, owner.metric, RowOrder, ColumnOrder);
        }

        public int[] RowOrder { get; }
        public int[] ColumnOrder { get; }
        public JoinOperands Operands { get; }

        /// <summary>
        /// The fraction of sampled tiles (micro-panel × panel, in pruning order) with a pair whose k-head is within ε, and
        /// with a pair within ε over the leading k coordinates alone.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public (double[] Within, double[] Leading) TileSurvival(double epsilon, int[] ks)
        {
            int height = RangeJoin.TileHeight, n = owner.images.Count, m = owner.texts.Count;
            int microPanels = (n + height - 1) / height, panels = (m + 15) / 16;
            var random = new Random(20261129);
            int tiles = (int)Math.Min(SampledTiles, (long)microPanels * panels);
            // Tiles between a few sampled micro-panels and panels: heads of 96 micro-panels and 96 panels instead of one
            // micro-panel and one panel per tile.
            var rows = Enumerable.Range(0, Math.Min(SampledPanels, microPanels)).Select(_ => random.Next(microPanels)).Distinct().Order().ToArray();
            var columns = Enumerable.Range(0, Math.Min(SampledPanels, panels)).Select(_ => random.Next(panels)).Distinct().Order().ToArray();
            var picks = Enumerable.Range(0, tiles).Select(_ => (A: random.Next(rows.Length), B: random.Next(columns.Length))).ToArray();
            var rowIndex = rows.SelectMany(a => Enumerable.Range(a * height, Math.Min(height, n - a * height))).Select(i => RowOrder[i]).ToArray();
            var columnIndex = columns.SelectMany(b => Enumerable.Range(b * 16, Math.Min(16, m - b * 16))).Select(j => ColumnOrder[j]).ToArray();
            var (hx, nx) = owner.Heads(owner.images, rowIndex);
            var (hy, ny) = owner.Heads(owner.texts, columnIndex);
            var rowStart = new int[rows.Length + 1];
            for (int a = 0; a < rows.Length; a++) rowStart[a + 1] = rowStart[a] + Math.Min(height, n - rows[a] * height);
            var columnStart = new int[columns.Length + 1];
            for (int b = 0; b < columns.Length; b++) columnStart[b + 1] = columnStart[b] + Math.Min(16, m - columns[b] * 16);
            var survived = new long[ks.Length];
            var leading = new long[ks.Length];
            foreach (var (a, b) in picks)
            {
                var tileRows = Enumerable.Range(rowStart[a], rowStart[a + 1] - rowStart[a]);
                var tileColumns = Enumerable.Range(columnStart[b], columnStart[b + 1] - columnStart[b]).ToArray();
                var (within, lead) = owner.SurvivingFraction(hx, nx, tileRows, hy, ny, _ => tileColumns, epsilon, ks);
                for (int c = 0; c < ks.Length; c++)
                {
                    if (within[c] > 0) survived[c]++;
                    if (lead[c] > 0) leading[c]++;
                }
            }
            return (survived.Select(s => tiles == 0 ? 0 : (double)s / tiles).ToArray(), leading.Select(s => tiles == 0 ? 0 : (double)s / tiles).ToArray());
        }

        /// <summary>
        /// The augmented heads (q_1·x, …, q_k·x, ‖x_tail‖) of both sets in pruning order, quantised (the texts' written
        /// straight into packed panels), with per-row bounds on how far each quantised head lies from the exact one (so ε
        /// widened by them keeps every true pair).
        /// </summary>
        public (RangeJoin.QuantizedHeads Heads, double[] ErrorX, double ErrorY) HeadOperands(int k)
        {
            int stride = (k + 2) & ~1; // k + 1 values, zero-padded to whole coordinate pairs
            // One side after the other: each runs on every core.
            var (x, normsX, errorX) = Augmented(owner.images, RowOrder, k, stride, packed: false);
            var (y, normsY, errorY) = Augmented(owner.texts, ColumnOrder, k, stride, packed: true);
            return (new RangeJoin.QuantizedHeads(x, y, stride, owner.quantum, normsX, normsY, null, 0), errorX, errorY.Length == 0 ? 0 : errorY.Max());
        }

        /// <summary>The same heads with the cluster bound of every tile (<see cref="Gaps"/>) for this machine's micro-panels.</summary>
        public RangeJoin.QuantizedHeads WithGaps(RangeJoin.QuantizedHeads heads)
        {
            int height = RangeJoin.TileHeight;
            return heads with { Gaps = Gaps(heads.X, owner.images.Count, height, heads.PackedY, owner.texts.Count, heads.Stride), GapHeight = height };
        }

        /// <summary>Gap matrices above this many tiles are not built (the memory grows as N·M).</summary>
        private const long MaxGapTiles = 1L << 25;

        /// <summary>
        /// The cluster bound of every tile: for micro-panel a and panel b a lower bound of ‖c_a − c_b‖ − r_a − r_b (in
        /// quanta, float32 rounded down), c the centre of a group's quantised heads (their mean rounded to float32) and r
        /// the largest distance of the group's heads to it (float64, rounded up by 10^-12 and 10^-6 quanta). The distance
        /// between the centres comes from the float32 tile kernel as ‖c_a‖² + ‖c_b‖² − 2 c_a·c_b, less the dot product's
        /// error bound 2γ‖c_a‖‖c_b‖ (γ = γ_{S+2}, S values a head). Null when there would be more than 2^25 tiles.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static float[]? Gaps(short[] x, int n, int height, short[] packedY, int m, int stride)
        {
            int groupsX = (n + height - 1) / height, groupsY = (m + 15) / 16;
            if ((long)groupsX * groupsY > MaxGapTiles) return null;
            float[] centresX = [], centresY = [];
            double[] radiiX = [], radiiY = [], normsX = [], normsY = [];
            Parallel.Invoke(() => (centresX, radiiX, normsX) = Centres(x, n, height, stride, packed: false),
                () => (centresY, radiiY, normsY) = Centres(packedY, m, 16, stride, packed: true));
            double unit = Math.ScaleB(1, -24), gamma = (stride + 2) * unit / (1 - (stride + 2) * unit);
            var gaps = LargeArrays.AllocateUninitialized<float>((long)groupsX * groupsY);
            RangeJoin.Products(centresX, groupsX, stride, JoinOperands.Pack(centresY, groupsY, stride, Panels(groupsY)), groupsY, null,
                [MethodImpl(MethodImplOptions.AggressiveOptimization)] (a0, count, dots) =>
                {
                    for (int a = a0; a < a0 + count; a++)
                        for (int b = 0; b < groupsY; b++)
                        {
                            double dot = dots[(a - a0) * groupsY + b], error = 2 * gamma * Math.Sqrt(normsX[a] * normsY[b]);
                            double squared = (normsX[a] + normsY[b] - 2 * dot - error) - 1e-12 * (normsX[a] + normsY[b]);
                            gaps[(long)a * groupsY + b] = JoinOperands.DownToSingle(Math.Sqrt(Math.Max(0, squared)) * (1 - 1e-12) - radiiX[a] - radiiY[b]);
                        }
                });
            return gaps;
        }

        /// <summary>
        /// The centre (mean, rounded to float32; rows of <paramref name="stride"/>) of each group of <paramref name="group"/>
        /// consecutive quantised heads (the last may be short), the largest distance of the group's heads to it (rounded
        /// up past the float64 rounding), and the centre's squared norm (float64).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static (float[] Centres, double[] Radii, double[] Norms) Centres(short[] values, int count, int group, int stride, bool packed)
        {
            int groups = (count + group - 1) / group;
            var centres = new float[groups * stride];
            var radii = new double[groups];
            var norms = new double[groups];
            var sum = new long[stride];
            for (int g = 0; g < groups; g++)
            {
                int first = g * group, end = Math.Min(count, first + group);
                Array.Clear(sum);
                for (int i = first; i < end; i++)
                    for (int c = 0; c < stride; c++) sum[c] += Value(i, c);
                var centre = centres.AsSpan(g * stride, stride);
                for (int c = 0; c < stride; c++) { centre[c] = (float)((double)sum[c] / (end - first)); norms[g] += (double)centre[c] * centre[c]; }
                double radius = 0;
                for (int i = first; i < end; i++)
                {
                    double squared = 0;
                    for (int c = 0; c < stride; c++) { double v = Value(i, c) - (double)centre[c]; squared += v * v; }
                    radius = Math.Max(radius, Math.Sqrt(squared));
                }
                radii[g] = radius * (1 + 1e-12) + 1e-6;
            }
            return (centres, radii, norms);

            short Value(int i, int c) => values[packed ? PackedIndex(i, c, stride) : i * stride + c];
        }

        /// <summary>
        /// The same heads seen over their leading <paramref name="checkpoint"/> coordinates: their squared norms (columns
        /// padded to whole panels) and per-row bounds on how far those quantised coordinates lie from the exact ones — no
        /// tail term, so tighter than the whole head's.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public (int[] NormsX, int[] NormsY, double[] ErrorX, double ErrorY) Leading(RangeJoin.QuantizedHeads heads, int checkpoint)
        {
            int stride = heads.Stride, n = owner.images.Count, m = owner.texts.Count;
            var normsX = new int[n];
            var errorX = new double[n];
            for (int i = 0; i < n; i++)
            {
                for (int c = 0; c < checkpoint; c++) normsX[i] += heads.X[i * stride + c] * heads.X[i * stride + c];
                errorX[i] = CoordinateError(owner.images.SquaredNorm(RowOrder[i]), checkpoint);
            }
            var normsY = new int[heads.NormsY.Length];
            double errorY = 0;
            for (int j = 0; j < m; j++)
            {
                for (int c = 0; c < checkpoint; c++)
                {
                    int v = heads.PackedY[PackedIndex(j, c, stride)];
                    normsY[j] += v * v;
                }
                errorY = Math.Max(errorY, CoordinateError(owner.texts.SquaredNorm(ColumnOrder[j]), checkpoint));
            }
            return (normsX, normsY, errorX, errorY);
        }

        /// <summary>Where coordinate c of column j sits in packed quantised heads: panel, coordinate pair, lane, half.</summary>
        private static int PackedIndex(int j, int c, int stride) => (j / 16 * stride + (c & ~1)) * 16 + (j % 16) * 2 + (c & 1);

        /// <summary>
        /// How far the first c quantised head coordinates of a row with this squared norm lie from the exact ones: √c
        /// times the error of one float32 coordinate (η‖x‖, plus subnormal rounding), the unit vector's own error,
        /// float64 slack, and the quantisation (half a step per coordinate).
        /// </summary>
        private double CoordinateError(double squared, int c)
        {
            double norm = Math.Sqrt(squared);
            return (Math.Sqrt(c) * (OneCoordinate(norm) + owner.quantum / 2) + Math.ScaleB(1, -148) + owner.unitError) * (1 + 1e-9) + 1e-12 * norm;
        }

        /// <summary>How far one float32 head coordinate of a row of norm ‖x‖ lies from the exact one: η‖x‖, plus subnormal rounding.</summary>
        private double OneCoordinate(double norm) => owner.eta * norm + (owner.d + 2) * Math.ScaleB(1, -148);

        /// <summary>
        /// Quantised heads of every row of <paramref name="set"/> in the given order, k + 1 values a row (the last is the
        /// tail norm) in rows of <paramref name="stride"/>, row-major or packed; their squared norms and error bounds.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private (short[] Values, int[] Norms, double[] Errors) Augmented(EmbeddingSet set, int[] order, int k, int stride, bool packed)
        {
            int n = set.Count;
            // Every row is written whole (its padding too); in the packed layout the lanes past the last column are cleared.
            var values = LargeArrays.AllocateUninitialized<short>((long)(packed ? (n + 15) / 16 * 16 : n) * stride);
            if (packed && n % 16 != 0) values.AsSpan(n / 16 * 16 * stride).Clear();
            var norms = new int[packed ? (n + 15) / 16 * 16 : n];
            var errors = new double[n];
            // Each micro-panel of heads is quantised as soon as the workers have it: no n × k float array.
            RangeJoin.Products(set.Memory, n, owner.d, owner.packedBasis, k, order,
                [MethodImpl(MethodImplOptions.AggressiveOptimization)] (i0, count, products) =>
                {
                    Span<short> quantised = stackalloc short[stride]; // one row; its padding stays zero
                    quantised.Clear();
                    for (int i = i0; i < i0 + count; i++)
                        (norms[i], errors[i]) = Quantise(products.Slice((i - i0) * k, k), set.SquaredNorm(order[i]), quantised, values, i, stride, packed);
                });
            return (values, norms, errors);
        }

        /// <summary>
        /// Quantises one row's head (its k products and the tail norm from its squared norm) into <paramref name="values"/>
        /// (row i, row-major or packed); returns its squared integer norm and how far it lies from the exact head.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private (int Norm, double Error) Quantise(ReadOnlySpan<float> row, double squared, Span<short> quantised, short[] values, int i, int stride, bool packed)
        {
            int k = row.Length;
            double head = 0;
            foreach (float v in row) head += (double)v * v;
            double norm = Math.Sqrt(squared);
            double tail = Math.Sqrt(Math.Max(0, squared - head));
            // Rounding to the nearest step moves each value by at most half a step (the quantum is a power of two, so
            // v / quantum is exact).
            double inverse = 1 / owner.quantum;
            long sum = 0;
            for (int c = 0; c <= k; c++)
            {
                int q = (int)Math.Round((c < k ? row[c] : tail) * inverse);
                quantised[c] = (short)q;
                sum += (long)q * q;
            }
            // Every head has norm at most ‖x‖ (1 + 10^-3) ≤ 2^14 quanta; with half a step per coordinate it stays below
            // 2^14 + 9, which the kernels' int32 sums rely on.
            double largest = Math.ScaleB(1, QuantizedBits) + 9;
            if (!(sum < largest * largest)) throw new InvalidOperationException("A quantised pruning head exceeded its range.");
            if (!packed) quantised.CopyTo(values.AsSpan(i * stride, stride));
            else
            {
                // Column i's coordinate pairs are 32 shorts apart in its panel, from lane (i mod 16).
                var pairs = MemoryMarshal.Cast<short, int>(quantised);
                var target = MemoryMarshal.Cast<short, int>(values.AsSpan((i >> 4) * stride * 16));
                for (int g = 0, at = i & 15; g < pairs.Length; g++, at += 16) target[at] = pairs[g];
            }
            // ‖head − exact head‖ ≤ √k·η‖x‖ =: Δ; then |tail² − exact tail²| ≤ Δ(2‖x‖ + Δ) =: D, so the tail is off by at
            // most D / tail (or √D); 1e-12 covers the float64 arithmetic, 2^-148 float32 rounding in the subnormal range,
            // and √(k + 1)/2 quanta the quantisation.
            double delta = Math.Sqrt(k) * OneCoordinate(norm);
            double spread = delta * (2 * norm + delta) + (k + 4) * Math.ScaleB(squared, -52); // + the float64 sums
            double tailError = tail > 0 ? Math.Min(Math.Sqrt(spread), spread / tail) : Math.Sqrt(spread);
            return ((int)sum, (delta + tailError + Math.Sqrt(k + 1) * owner.quantum / 2 + Math.ScaleB(1, -148) + owner.unitError) * (1 + 1e-9) + 1e-12 * norm);
        }

        /// <summary>A k-d tree order with leaves of exactly <paramref name="leaf"/> points (the last may be short), split on the widest of the first 16 heads.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int[] KdOrder(float[] heads, int n, int kMax, int leaf)
        {
            var order = Enumerable.Range(0, n).ToArray();
            var keys = new float[n];
            int dims = Math.Min(16, kMax);
            var stack = new Stack<(int Lo, int Hi)>();
            stack.Push((0, n));
            while (stack.Count > 0)
            {
                var (lo, hi) = stack.Pop();
                if (hi - lo <= leaf) continue;
                int best = 0; double widest = -1;
                for (int c = 0; c < dims; c++)
                {
                    double sum = 0, squares = 0;
                    for (int p = lo; p < hi; p++) { double v = heads[order[p] * kMax + c]; sum += v; squares += v * v; }
                    double variance = squares - sum * sum / (hi - lo);
                    if (variance > widest) (best, widest) = (c, variance);
                }
                for (int p = lo; p < hi; p++) keys[p] = heads[order[p] * kMax + best];
                int half = (hi - lo) / 2;
                int mid = lo + Math.Max(1, (half + leaf / 2) / leaf) * leaf;
                if (mid < hi) Select(keys, order, lo, hi, mid); // only which side each point falls on matters, not a sort
                stack.Push((lo, Math.Min(mid, hi)));
                stack.Push((Math.Min(mid, hi), hi));
            }
            return order;
        }

        /// <summary>
        /// Rearranges keys[lo..hi) (and order alongside) so that the <c>mid − lo</c> smallest come first (Hoare partitions
        /// around a median of three: deterministic, and equal keys split evenly).
        /// </summary>
        private static void Select(float[] keys, int[] order, int lo, int hi, int mid)
        {
            int left = lo, right = hi - 1;
            while (right > left)
            {
                var (i, j) = HoarePartition.Around(keys, order, left, right);
                // [left, j] ≤ pivot ≤ [i, right]: continue in the part that holds position mid (the boundary).
                if (mid <= j) right = j;
                else if (mid >= i) left = i;
                else return;
            }
        }
    }
}
