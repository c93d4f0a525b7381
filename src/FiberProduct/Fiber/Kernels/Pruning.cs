using System.Runtime.CompilerServices;
using FiberProduct.Embedding;
using MathNet.Numerics.LinearAlgebra;

namespace FiberProduct.Fiber.Kernels;

/// <summary>
/// Exact pruning for the ε-join (Euclidean; cosine and angular through the chord of the unit vectors). Both sets are
/// rotated onto the principal axes of the pairwise differences (an orthogonal change of basis keeps every distance); a
/// vector x becomes its head h̃(x) = (q_1·x, …, q_k·x, ‖x_tail‖), the k leading coordinates and the norm of the rest, so
/// that ‖h̃(x) − h̃(y)‖ ≤ ‖x − y‖ (Pythagoras and the reverse triangle inequality on the tail; with k = 0 it is the norm
/// bound |‖x‖ − ‖y‖|). Rows and columns are put in k-d tree order over the leading heads, so that a micro-panel and a
/// panel hold nearby points, and the join computes each tile first
/// over the k + 1 head coordinates: a tile none of whose pairs can be within ε + (the rounding of the heads) is
/// skipped, the others are computed in full on the original vectors exactly as without pruning. A cost model picks
/// k per query from the measured survival of sampled tiles, or no pruning when nothing prunes.
/// </summary>
internal sealed class Pruning
{
    /// <summary>Auto prunes only when the estimate is at most this fraction of the plain join (the estimate is rough).</summary>
    private const double Worthwhile = 0.8;

    private const int CovarianceRows = 1024, ScreeningRows = 128, SampleRows = 128, SampleColumns = 256, SampledTiles = 384, TileOverhead = 8;
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
    private float[] packedBasis = [];
    private double eta;
    private float[] sampleX = [], sampleY = [];
    private double[] sampleNormsX = [], sampleNormsY = [];
    private bool screening;
    private readonly Lazy<Ordered> ordered;
    private readonly Dictionary<int, (JoinOperands Head, double[] ErrorX, double ErrorY)> heads = [];
    private readonly Dictionary<(double, bool), (int K, double Cost)> choices = [];

    private Pruning(EmbeddingSet images, EmbeddingSet texts, EmbeddingSet rawImages, EmbeddingSet rawTexts, FiberMetric metric, Matrix<double> basis, double orthogonality, bool screening)
    {
        this.images = images;
        this.texts = texts;
        this.rawImages = rawImages;
        this.rawTexts = rawTexts;
        this.metric = metric;
        // A normalised float32 row is within 2^-24 (plus subnormal rounding) of the exact unit vector.
        unitError = metric == FiberMetric.Euclidean ? 0 : Math.ScaleB(1, -23) + images.Dimension * Math.ScaleB(1, -148);
        d = images.Dimension;
        UseBasis(basis, orthogonality);
        this.screening = screening;
        ordered = new Lazy<Ordered>(() => new Ordered(this));
    }

    private void UseBasis(Matrix<double> basis, double orthogonality)
    {
        kMax = basis.ColumnCount;
        // The basis vectors are the "texts" of the tile kernel: heads are their dot products with the rows.
        var vectors = new float[kMax * d];
        for (int j = 0; j < kMax; j++)
            for (int c = 0; c < d; c++) vectors[j * d + c] = (float)basis[c, j];
        packedBasis = JoinOperands.Pack(vectors, kMax, d, (kMax + JoinOperands.PanelWidth - 1) / JoinOperands.PanelWidth);
        // Each head coordinate is a float32 dot product with a float32 copy of a unit vector: its error is at most
        // η‖x‖ with η = γ_d (the dot product) + 2^-23 (rounding the basis and the result) + the basis' departure from
        // orthonormality.
        double unit = Math.ScaleB(1, -24);
        eta = (d + 2) * unit / (1 - (d + 2) * unit) + 2 * unit + 2 * orthogonality + 1e-15;
        // Estimate on other rows than the axes were fitted to: in-sample pairs look more prunable than they are.
        (sampleX, sampleNormsX) = Heads(images, Sample(images.Count, SampleRows, shift: true));
        (sampleY, sampleNormsY) = Heads(texts, Sample(texts.Count, SampleColumns, shift: true));
    }

    /// <summary>Replaces a screening basis by the principal axes (before anything is pruned).</summary>
    private void EnsureFullBasis()
    {
        if (!screening) return;
        var (basis, orthogonality) = Basis(images, texts)
            ?? throw new InvalidOperationException("The principal axes failed to be orthonormal where the screening basis was.");
        UseBasis(basis, orthogonality);
        screening = false;
    }

    /// <summary>The plan of the last query (for benchmarks and tests): the head dimension or 0 for none, and the tiles skipped and computed.</summary>
    public (int Dimension, long Skipped, long Computed, double EstimatedCost) Last { get; private set; }

    /// <summary>
    /// Principal axes from evenly spaced samples of both sets (deterministic), or null when d is too small to gain. For
    /// the cosine and angular metrics the bound works on the unit vectors, where both are functions of the chord.
    /// </summary>
    public static Pruning? Create(EmbeddingSet rawImages, EmbeddingSet rawTexts, FiberMetric metric)
    {
        var (images, texts) = metric == FiberMetric.Euclidean ? (rawImages, rawTexts) : (rawImages.Normalize(), rawTexts.Normalize());
        int d = images.Dimension;
        if (d < 16 || images.Count == 0 || texts.Count == 0) return null;
        // Heads are float32 dot products of the raw vectors: keep them far from overflow.
        float largest = Math.Max(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(images.Values), System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(texts.Values));
        if (!(Math.Abs(largest) <= 1 << 30)) return null;
        // Large sets in many dimensions start from the cheap screening basis; the eigendecomposition waits until the
        // first look says pruning may pay.
        bool screening = Math.Min(images.Count, texts.Count) > 2 * ScreeningRows && d > 2 * ScreeningRows + 1;
        var basis = screening ? ScreeningBasis(images, texts) : Basis(images, texts);
        return basis is { } b ? new Pruning(images, texts, rawImages, rawTexts, metric, b.Basis, b.Orthogonality, screening) : null;
    }

    /// <summary>
    /// An orthonormal basis of the span of 128 evenly spaced rows per side (centred) and the mean difference, by
    /// modified Gram–Schmidt applied twice: no eigendecomposition. Only used to decide that nothing prunes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (Matrix<double> Basis, double Orthogonality)? ScreeningBasis(EmbeddingSet images, EmbeddingSet texts)
    {
        int d = images.Dimension;
        var rowsX = Sample(images.Count, ScreeningRows, shift: false);
        var rowsY = Sample(texts.Count, ScreeningRows, shift: false);
        var mx = Mean(images, rowsX);
        var my = Mean(texts, rowsY);
        var vectors = new List<double[]>();
        foreach (var (set, rows, mean) in new[] { (images, rowsX, mx), (texts, rowsY, my) })
            foreach (int r in rows)
            {
                var row = set.Row(r);
                var v = new double[d];
                for (int c = 0; c < d; c++) v[c] = row[c] - mean[c];
                vectors.Add(v);
            }
        vectors.Add(Enumerable.Range(0, d).Select(c => mx[c] - my[c]).ToArray());
        var basis = new List<double[]>();
        foreach (var v in vectors)
        {
            double before = System.Numerics.Tensors.TensorPrimitives.Norm<double>(v);
            for (int pass = 0; pass < 2; pass++)
                foreach (var q in basis)
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd<double>(q, -System.Numerics.Tensors.TensorPrimitives.Dot<double>(q, v), v, v);
            double after = System.Numerics.Tensors.TensorPrimitives.Norm<double>(v);
            if (after <= 1e-8 * before || after == 0) continue;
            System.Numerics.Tensors.TensorPrimitives.Divide<double>(v, after, v);
            basis.Add(v);
        }
        if (basis.Count == 0) return null;
        // No rounding bound is claimed for it (NaN): it only estimates, and Ordered refuses to prune with it.
        return (Matrix<double>.Build.Dense(d, basis.Count, (r, c) => basis[c][r]), double.NaN);
    }

    /// <summary>The principal axes: leading eigenvectors from up to 1,024 evenly spaced rows per side, with their departure from orthonormality.</summary>
    private static (Matrix<double> Basis, double Orthogonality)? Basis(EmbeddingSet images, EmbeddingSet texts)
    {
        int d = images.Dimension;
        int kMax = Math.Min(Dimensions[^1], d * 3 / 4);
        // E‖x − y‖² along a unit q is qᵀ(C_x + C_y + δδᵀ)q, δ = μ_x − μ_y: its leading eigenvectors capture the most
        // distance. From evenly spaced samples; when they are fewer than d, through the small Gram matrix instead.
        var rowsX = Sample(images.Count, CovarianceRows, shift: false);
        var rowsY = Sample(texts.Count, CovarianceRows, shift: false);
        Matrix<double> basis;
        if (rowsX.Length + rowsY.Length + 1 < d)
        {
            // M = BᵀB with B = [X_c/√n_x; Y_c/√n_y; δ]: eigenvectors v = Bᵀu/√λ from the eigenpairs (λ, u) of BBᵀ.
            var mx = Mean(images, rowsX);
            var my = Mean(texts, rowsY);
            var b = Matrix<double>.Build.Dense(rowsX.Length + rowsY.Length + 1, d);
            for (int r = 0; r < rowsX.Length; r++) { var row = images.Row(rowsX[r]); for (int c = 0; c < d; c++) b[r, c] = (row[c] - mx[c]) / Math.Sqrt(rowsX.Length); }
            for (int r = 0; r < rowsY.Length; r++) { var row = texts.Row(rowsY[r]); for (int c = 0; c < d; c++) b[rowsX.Length + r, c] = (row[c] - my[c]) / Math.Sqrt(rowsY.Length); }
            for (int c = 0; c < d; c++) b[b.RowCount - 1, c] = mx[c] - my[c];
            var evd = b.TransposeAndMultiply(b).Evd(Symmetricity.Symmetric);
            double top = evd.EigenValues.Select(v => v.Real).DefaultIfEmpty(0).Max();
            var order = Enumerable.Range(0, b.RowCount).Where(i => evd.EigenValues[i].Real > 1e-10 * top).OrderByDescending(i => evd.EigenValues[i].Real).Take(kMax).ToArray();
            if (order.Length == 0) return null;
            basis = Matrix<double>.Build.Dense(d, order.Length);
            for (int c = 0; c < order.Length; c++)
                basis.SetColumn(c, b.TransposeThisAndMultiply(evd.EigenVectors.Column(order[c])) / Math.Sqrt(evd.EigenValues[order[c]].Real));
            basis = basis.QR().Q.SubMatrix(0, d, 0, order.Length); // re-orthonormalise what the division left
        }
        else
        {
            var (cx, mx) = Covariance(images, rowsX);
            var (cy, my) = Covariance(texts, rowsY);
            var evd = (cx + cy + (mx - my).OuterProduct(mx - my)).Evd(Symmetricity.Symmetric);
            var order = Enumerable.Range(0, d).OrderByDescending(i => evd.EigenValues[i].Real).Take(kMax).ToArray();
            basis = Matrix<double>.Build.Dense(d, kMax, (r, c) => evd.EigenVectors[r, order[c]]);
        }
        kMax = basis.ColumnCount;
        double orthogonality = (basis.TransposeThisAndMultiply(basis) - Matrix<double>.Build.DenseIdentity(kMax)).FrobeniusNorm();
        return orthogonality > 1e-6 ? null : (basis, orthogonality);
    }

    /// <summary>
    /// The head dimension to prune with at tolerances up to <paramref name="epsilon"/>, or 0 for the plain join:
    /// forced, or the cheapest by the cost model when <paramref name="always"/>, or the cheapest if it saves at least 20 %.
    /// </summary>
    public int Choose(double epsilon, bool always, int? forced)
    {
        var candidates = Dimensions.Where(k => k < kMax).Append(kMax).ToArray();
        if (forced is { } k0) { EnsureFullBasis(); Last = (Math.Min(k0, kMax), 0, 0, double.NaN); return Math.Min(k0, kMax); }
        if (choices.TryGetValue((epsilon, always), out var known)) { Last = (known.K, 0, 0, known.Cost); return known.K; }
        var (k, cost) = Estimate(epsilon, always, candidates);
        if (choices.Count < 256) choices[(epsilon, always)] = (k, cost);
        Last = (k, 0, 0, cost);
        return k;
    }

    private (int K, double Cost) Estimate(double epsilon, bool always, int[] candidates)
    {
        // Optimistic first look from sampled pairs (a tile survives at least as often as one of its pairs): if even that
        // cannot pay, do not prepare anything more. With the screening basis only its whole span is meaningful (its
        // vectors are in no particular order); a heuristic: pairs that the span of 257 sampled rows cannot separate are
        // not separated by at most 256 principal axes fitted to samples either, in the data seen so far.
        if (screening)
        {
            int[] span = [kMax];
            double screened = Cost(kMax, SurvivingFraction(sampleX, sampleNormsX, Enumerable.Range(0, sampleNormsX.Length), sampleY, sampleNormsY,
                i => Enumerable.Range(0, sampleNormsY.Length), epsilon, span)[0]);
            if (!always && screened > Worthwhile) return (0, screened);
            EnsureFullBasis();
            candidates = Dimensions.Where(k => k < kMax).Append(kMax).ToArray();
        }
        var pairFraction = SurvivingFraction(sampleX, sampleNormsX, Enumerable.Range(0, sampleNormsX.Length), sampleY, sampleNormsY,
            i => Enumerable.Range(0, sampleNormsY.Length), epsilon, candidates);
        double optimistic = candidates.Select((k, c) => Cost(k, pairFraction[c])).Min();
        if (!always && optimistic > Worthwhile) return (0, optimistic);
        var o = ordered.Value;
        var survival = o.TileSurvival(epsilon, candidates);
        int best = 0; double bestCost = double.PositiveInfinity;
        for (int c = 0; c < candidates.Length; c++)
            if (Cost(candidates[c], survival[c]) < bestCost) (best, bestCost) = (candidates[c], Cost(candidates[c], survival[c]));
        return (!always && bestCost > Worthwhile ? 0 : best, bestCost);
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

    /// <summary>The head filter for dimension k at per-row tolerances (rows in pruning order).</summary>
    public RangeJoin.HeadFilter Filter(int k, Func<int, double> epsilonOfRow)
    {
        JoinOperands head; double[] errorX; double errorY;
        lock (heads)
        {
            if (!heads.TryGetValue(k, out var entry)) heads[k] = entry = ordered.Value.HeadOperands(k);
            (head, errorX, errorY) = entry;
        }
        var candidate = new float[head.Images.Count];
        var sure = new float[head.Images.Count];
        head.Thresholds(i => Chord(epsilonOfRow(i)) + errorX[i] + errorY, candidate, sure);
        return new RangeJoin.HeadFilter(head, candidate);
    }

    public void Record(RangeJoin.HeadFilter filter) => Last = (Last.Dimension, filter.Skipped, filter.Computed, Last.EstimatedCost);

    /// <summary>
    /// Estimated time relative to the plain join: the head pass over k + 1 coordinates (plus a per-tile overhead, and
    /// 15 % for its lower efficiency, measured on 20,000 × 20,000 × 512) and the surviving tiles in full.
    /// </summary>
    private double Cost(int k, double survival) => 1.15 * (k + 1 + TileOverhead) / d + survival;

    /// <summary>For each candidate k, the fraction of the given pairs whose head distance is within ε (an estimate).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double[] SurvivingFraction(float[] hx, double[] nx, IEnumerable<int> rows, float[] hy, double[] ny, Func<int, IEnumerable<int>> columnsOf, double epsilon, int[] ks)
    {
        var within = new long[ks.Length];
        long pairs = 0;
        double e2 = epsilon * epsilon;
        foreach (int i in rows)
            foreach (int j in columnsOf(i))
            {
                pairs++;
                int xi = i * kMax, yj = j * kMax;
                float head = 0, px = 0, py = 0;
                for (int c = 0, from = 0; c < ks.Length; from = ks[c], c++)
                {
                    for (int t = from; t < ks[c]; t++)
                    {
                        float a = hx[xi + t], b = hy[yj + t];
                        head += (a - b) * (a - b); px += a * a; py += b * b;
                    }
                    double tail = Math.Sqrt(Math.Max(0, nx[i] - px)) - Math.Sqrt(Math.Max(0, ny[j] - py));
                    if (head + tail * tail <= e2) within[c]++;
                }
            }
        return within.Select(w => pairs == 0 ? 0 : (double)w / pairs).ToArray();
    }

    /// <summary>Head coordinates (rows × kMax) and float64 squared norms of the given rows.</summary>
    private (float[] Heads, double[] Norms) Heads(EmbeddingSet set, int[] rows)
    {
        var values = new float[rows.Length * d];
        for (int r = 0; r < rows.Length; r++) set.Row(rows[r]).CopyTo(values.AsSpan(r * d, d));
        return (RangeJoin.Products(values, rows.Length, d, packedBasis, kMax), rows.Select(set.SquaredNorm).ToArray());
    }

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

    /// <summary>The covariance (d × d) and mean of sampled rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (Matrix<double> Covariance, Vector<double> Mean) Covariance(EmbeddingSet set, int[] rows)
    {
        int d = set.Dimension, n = rows.Length;
        var mean = Mean(set, rows);
        // Feature-major centred samples: feature c is a vector of n values, and C = F Fᵀ / n through the tile kernel.
        var features = new float[d * n];
        for (int i = 0; i < n; i++) { var row = set.Row(rows[i]); for (int c = 0; c < d; c++) features[c * n + i] = (float)(row[c] - mean[c]); }
        var packed = JoinOperands.Pack(features, d, n, (d + JoinOperands.PanelWidth - 1) / JoinOperands.PanelWidth);
        var products = RangeJoin.Products(features, d, n, packed, d);
        var symmetric = new double[d * d];
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++) symmetric[c * d + r] = 0.5 * (products[r * d + c] + products[c * d + r]) / n;
        var covariance = Matrix<double>.Build.Dense(d, d, symmetric);
        return (covariance, Vector<double>.Build.Dense(mean));
    }

    /// <summary>The sets in k-d tree order of their heads, with the full operands and the heads of every row.</summary>
    private sealed class Ordered
    {
        private const int OrderingHeads = 16;
        private readonly Pruning owner;
        private readonly EmbeddingSet unitX, unitY; // the vectors the heads come from, in pruning order

        public Ordered(Pruning owner)
        {
            if (owner.screening) throw new InvalidOperationException("Pruning needs the principal axes, not the screening basis.");
            this.owner = owner;
            // The k-d order needs only the leading heads; the heads the join uses are taken later, at the chosen k and
            // already in pruning order.
            int width = Math.Min(OrderingHeads, owner.kMax);
            RowOrder = KdOrder(RangeJoin.Products(owner.images.Memory, owner.images.Count, owner.d, owner.packedBasis, width), owner.images.Count, width, RangeJoin.TileHeight);
            ColumnOrder = KdOrder(RangeJoin.Products(owner.texts.Memory, owner.texts.Count, owner.d, owner.packedBasis, width), owner.texts.Count, width, JoinOperands.PanelWidth);
            Operands = new JoinOperands(owner.rawImages.Permuted(RowOrder), owner.rawTexts.Permuted(ColumnOrder), owner.metric);
            (unitX, unitY) = owner.metric == FiberMetric.Euclidean
                ? (Operands.Images, Operands.Texts)
                : (owner.images.Permuted(RowOrder), owner.texts.Permuted(ColumnOrder));
        }

        public int[] RowOrder { get; }
        public int[] ColumnOrder { get; }
        public JoinOperands Operands { get; }

        /// <summary>The fraction of sampled tiles (micro-panel × panel, in pruning order) with a pair whose k-head is within ε.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public double[] TileSurvival(double epsilon, int[] ks)
        {
            int height = RangeJoin.TileHeight, n = unitX.Count, m = unitY.Count;
            int microPanels = (n + height - 1) / height, panels = (m + 15) / 16;
            var random = new Random(20261129);
            int tiles = (int)Math.Min(SampledTiles, (long)microPanels * panels);
            var picks = Enumerable.Range(0, tiles).Select(_ => (A: random.Next(microPanels), B: random.Next(panels))).ToArray();
            // Heads of the sampled rows and columns only.
            var rows = picks.Select(p => p.A).Distinct().Order().ToArray();
            var columns = picks.Select(p => p.B).Distinct().Order().ToArray();
            var rowIndex = rows.SelectMany(a => Enumerable.Range(a * height, Math.Min(height, n - a * height))).ToArray();
            var columnIndex = columns.SelectMany(b => Enumerable.Range(b * 16, Math.Min(16, m - b * 16))).ToArray();
            var (hx, nx) = owner.Heads(unitX, rowIndex);
            var (hy, ny) = owner.Heads(unitY, columnIndex);
            var rowStart = rows.Select((a, r) => (a, r)).ToDictionary(t => t.a, t => rows.Take(t.r).Sum(x => Math.Min(height, n - x * height)));
            var columnStart = columns.Select((b, c) => (b, c)).ToDictionary(t => t.b, t => columns.Take(t.c).Sum(x => Math.Min(16, m - x * 16)));
            var survived = new long[ks.Length];
            foreach (var (a, b) in picks)
            {
                int r0 = rowStart[a], c0 = columnStart[b];
                var tileRows = Enumerable.Range(r0, Math.Min(height, n - a * height));
                var tileColumns = Enumerable.Range(c0, Math.Min(16, m - b * 16)).ToArray();
                var fractions = owner.SurvivingFraction(hx, nx, tileRows, hy, ny, _ => tileColumns, epsilon, ks);
                for (int c = 0; c < ks.Length; c++) if (fractions[c] > 0) survived[c]++;
            }
            return survived.Select(s => tiles == 0 ? 0 : (double)s / tiles).ToArray();
        }

        /// <summary>
        /// The augmented heads (q_1·x, …, q_k·x, ‖x_tail‖) of both sets as join operands, with per-row bounds on how far
        /// each stored head lies from the exact one (so ε widened by them keeps every true pair).
        /// </summary>
        public (JoinOperands Head, double[] ErrorX, double ErrorY) HeadOperands(int k)
        {
            var (x, errorX) = Augmented(unitX, k);
            var (y, errorY) = Augmented(unitY, k);
            return (new JoinOperands(x, y, FiberMetric.Euclidean), errorX, errorY.Length == 0 ? 0 : errorY.Max());
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private (EmbeddingSet Set, double[] Errors) Augmented(EmbeddingSet set, int k)
        {
            int n = set.Count;
            // The k heads of every row, written straight into rows of k + 1 (the last column is the tail norm).
            var values = RangeJoin.Products(set.Memory, n, owner.d, owner.packedBasis, k, stride: k + 1);
            var errors = new double[n];
            var stored = new double[n];
            for (int i = 0; i < n; i++)
            {
                double squared = set.SquaredNorm(i);
                double head = 0;
                foreach (float v in values.AsSpan(i * (k + 1), k)) head += (double)v * v;
                double norm = Math.Sqrt(squared);
                double tail = Math.Sqrt(Math.Max(0, squared - head));
                values[i * (k + 1) + k] = (float)tail;
                stored[i] = head + (double)(float)tail * (float)tail;
                // ‖head − exact head‖ ≤ √k·η‖x‖ =: Δ; then |tail² − exact tail²| ≤ Δ(2‖x‖ + Δ) =: D, so the tail is off by
                // at most D / tail (or √D), plus its float32 rounding; 1e-12 covers the float64 arithmetic.
                // The absolute term covers float32 rounding in the subnormal range (at most 2^-149 per operation).
                double delta = Math.Sqrt(k) * (owner.eta * norm + (owner.d + 2) * Math.ScaleB(1, -148));
                double spread = delta * (2 * norm + delta) + (k + 4) * Math.ScaleB(squared, -52); // + the float64 sums
                double tailError = tail > 0 ? Math.Min(Math.Sqrt(spread), spread / tail) : Math.Sqrt(spread);
                errors[i] = (delta + tailError + Math.ScaleB(tail, -23) + Math.ScaleB(1, -148) + owner.unitError) * (1 + 1e-9) + 1e-12 * norm;
            }
            return (EmbeddingSet.Trusted(values, n, k + 1, stored), errors);
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
                Array.Sort(keys, order, lo, hi - lo); // ties keep no particular order, but the sort is deterministic
                int half = (hi - lo) / 2;
                int mid = lo + Math.Max(1, (half + leaf / 2) / leaf) * leaf;
                stack.Push((lo, Math.Min(mid, hi)));
                stack.Push((Math.Min(mid, hi), hi));
            }
            return order;
        }
    }
}
