using System.Globalization;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber.Exact;

namespace FiberProduct.Fiber.Kernels;

/// <summary>
/// The two embedding sets prepared once for the fast path of every query: the images row-major and the texts
/// packed in 16-wide panels (panel p, coordinate k, lane l holds text 16p + l, coordinate k), both in the
/// working domain of the metric — scaled by a power of two (exact) for Euclidean distance when the magnitudes
/// are extreme, L2-normalised for cosine and angular distance — with their squared norms in float64.
/// </summary>
/// <remarks>
/// Rows and columns may be joined in another order than the sets hold them (pruning joins them in k-d tree order):
/// join row i is image <c>RowOrder[i]</c> and join column j is text <c>ColumnOrder[j]</c>. The texts are packed in join
/// order; the images stay where they are and the sweep gathers each chunk of rows, so no reordered copy is made.
/// Every index a kernel or sink sees is a join index.
/// </remarks>
internal sealed class JoinOperands
{
    public const int PanelWidth = 16;
    private const double Unit = 1.0 / (1 << 24);          // float32 unit roundoff
    // 2^-140: absolute slack for subnormal rounding
    private const double Tiny = 1.0 / (1L << 62) / (1L << 62) / (1L << 16);

    /// <summary>Prepares the sets, packing the texts on the scope's workers (null: on the calling thread).</summary>
    public JoinOperands(EmbeddingSet images, EmbeddingSet texts, FiberMetric metric, ExecutionScope? scope = null,
        int[]? rowOrder = null, int[]? columnOrder = null)
    {
        Images = images;
        Texts = texts;
        Metric = metric;
        Rows = images.Count;
        Columns = texts.Count;
        Dimension = images.Dimension;
        RowOrder = rowOrder;
        ColumnOrder = columnOrder;

        ReadOnlyMemory<float> y;
        EmbeddingSet? workingX = null, workingY = null;
        double[] radiiX, radiiY;
        if (metric == FiberMetric.Euclidean)
        {
            Scale = ChooseScale(Math.Max(images.MaxMagnitude, texts.MaxMagnitude));
            // The filter reads float32 vectors: the sets themselves (float32), their rounding (float64), or a copy
            // scaled by a power of two; the radii bound how far each row moved.
            if (Scale == 1) (workingX, workingY) = (images.Working, texts.Working);
            X = workingX?.Memory ?? images.Rounded(Scale);
            y = workingY?.Memory ?? texts.Rounded(Scale);
            radiiX = workingX is not null ? images.RoundingRadii : images.Radii(Scale);
            radiiY = workingY is not null ? texts.RoundingRadii : texts.Radii(Scale);
        }
        else
        {
            RejectZeroRows(images, nameof(images));
            RejectZeroRows(texts, nameof(texts));
            Scale = 1;
            (workingX, workingY) = (images.UnitVectors, texts.UnitVectors);
            X = workingX.Memory;
            y = workingY.Memory;
            // The unit vectors' rounding is part of the cosine margin.
            (radiiX, radiiY) = (new double[images.Count], new double[texts.Count]);
        }
        PackedY = Pack(y.Span, texts.Count, Dimension, Panels, columnOrder, scope);
        SquaredNormsX = InOrder(workingX is not null ? workingX.SquaredNorms
            : Norms(X.Span, images.Count, Dimension), rowOrder);
        SquaredNormsY = InOrder(workingY is not null ? workingY.SquaredNorms
            : Norms(y.Span, texts.Count, Dimension), columnOrder);
        RadiiX = InOrder(radiiX, rowOrder);
        RadiiY = InOrder(radiiY, columnOrder);
        MaxRadiusY = radiiY.Length == 0 ? 0 : radiiY.Max();
        (HalfSquaredNormsY, MaxSquaredNormY) = HalfNorms(SquaredNormsY, Panels, metric == FiberMetric.Euclidean);
        quantizedTexts = new(s => new QuantizedTexts(this, s));
        quantizedRows = new(s => new QuantizedRows(this, quantizedTexts.Get(s), s));
    }

    /// <summary>
    /// New rows against these prepared texts: their packing, norms and radii are shared, so only the rows are prepared
    /// (O(rows·d)). Shared only when the rows fit the same working domain — the same precision, the texts in their
    /// own order, and (Euclidean) the same power-of-two scale as the largest magnitude of all three sets calls for;
    /// otherwise the texts are prepared again for these rows, and the answer is the same.
    /// </summary>
    public JoinOperands WithRows(EmbeddingSet rows, ExecutionScope? scope = null)
    {
        if (rows.Precision != Texts.Precision || ColumnOrder is not null || Metric == FiberMetric.Euclidean
            && ChooseScale(Math.Max(rows.MaxMagnitude, Math.Max(Images.MaxMagnitude, Texts.MaxMagnitude))) != Scale)
        {
            var (x, y) = rows.Precision == Texts.Precision ? (rows, Texts) : (rows.ToDouble(), Texts.ToDouble());
            return new JoinOperands(x, y, Metric, scope);
        }
        return new JoinOperands(this, rows);
    }

    private JoinOperands(JoinOperands prepared, EmbeddingSet rows)
    {
        (Images, Texts, Metric, Scale) = (rows, prepared.Texts, prepared.Metric, prepared.Scale);
        (Rows, Columns, Dimension) = (rows.Count, prepared.Columns, prepared.Dimension);
        (PackedY, SquaredNormsY, RadiiY, MaxRadiusY) =
            (prepared.PackedY, prepared.SquaredNormsY, prepared.RadiiY, prepared.MaxRadiusY);
        (HalfSquaredNormsY, MaxSquaredNormY) = (prepared.HalfSquaredNormsY, prepared.MaxSquaredNormY);
        EmbeddingSet? working;
        if (Metric == FiberMetric.Euclidean)
        {
            working = Scale == 1 ? rows.Working : null;
            X = working?.Memory ?? rows.Rounded(Scale);
            RadiiX = working is not null ? rows.RoundingRadii : rows.Radii(Scale);
        }
        else
        {
            RejectZeroRows(rows, "queries");
            working = rows.UnitVectors;
            X = working.Memory;
            RadiiX = new double[rows.Count];
        }
        SquaredNormsX = working is not null ? working.SquaredNorms.ToArray() : Norms(X.Span, rows.Count, Dimension);
        quantizedTexts = prepared.quantizedTexts;
        quantizedRows = new(s => new QuantizedRows(this, quantizedTexts.Get(s), s));
    }

    private readonly Prepared<QuantizedTexts> quantizedTexts;
    private readonly Prepared<QuantizedRows> quantizedRows;

    /// <summary>
    /// The int8 screen's operands, built on first use (the texts' once, shared with <see cref="WithRows"/>).
    /// </summary>
    public (QuantizedRows Rows, QuantizedTexts Texts) Quantized(ExecutionScope scope) =>
        (quantizedRows.Get(scope), quantizedTexts.Get(scope));

    private static double[] Norms(ReadOnlySpan<float> values, int count, int dimension)
    {
        var norms = new double[count];
        for (int i = 0; i < count; i++)
        {
            var row = values.Slice(i * dimension, dimension);
            norms[i] = ReferenceSums.Dot(row, row);
        }
        return norms;
    }

    private static double[] InOrder(ReadOnlySpan<double> values, int[]? order)
    {
        if (order is null) return values.ToArray();
        var result = new double[order.Length];
        for (int i = 0; i < order.Length; i++) result[i] = values[order[i]];
        return result;
    }

    private static (float[] Half, double Max) HalfNorms(double[] squaredNormsY, int panels, bool euclidean)
    {
        var half = new float[panels * PanelWidth];
        double max = 0;
        for (int j = 0; j < squaredNormsY.Length; j++)
        {
            if (euclidean) half[j] = (float)(squaredNormsY[j] / 2);
            max = Math.Max(max, squaredNormsY[j]);
        }
        return (half, max);
    }

    /// <summary>The images as given (the reference vectors).</summary>
    public EmbeddingSet Images { get; }

    /// <summary>The texts as given (the reference vectors).</summary>
    public EmbeddingSet Texts { get; }

    public FiberMetric Metric { get; }
    public int Rows { get; }
    public int Columns { get; }
    public int Dimension { get; }
    public int Panels => (Columns + PanelWidth - 1) / PanelWidth;

    /// <summary>The image behind each join row, or null when they are the same.</summary>
    public int[]? RowOrder { get; }

    /// <summary>The text behind each join column, or null when they are the same.</summary>
    public int[]? ColumnOrder { get; }

    /// <summary>The power of two the Euclidean working copies are scaled by (1 in ordinary ranges).</summary>
    public double Scale { get; }

    /// <summary>Images in the working domain, row-major, in the order of the images (not the join order).</summary>
    public ReadOnlyMemory<float> X { get; }

    /// <summary>Texts in the working domain, packed in panels of 16 in join order, zero-padded.</summary>
    public float[] PackedY { get; }

    /// <summary>
    /// Per join row and column, an upper bound of the distance between a stored vector and the float32 vector the
    /// filter reads (in the working domain): zero for float32 sets in ordinary ranges.
    /// </summary>
    public double[] RadiiX { get; }
    public double[] RadiiY { get; }
    public double MaxRadiusY { get; }

    /// <summary>Squared norms in the working domain, in join order.</summary>
    public double[] SquaredNormsX { get; }
    public double[] SquaredNormsY { get; }
    public float[] HalfSquaredNormsY { get; }
    public double MaxSquaredNormY { get; }

    /// <summary>Error of a float32 dot product of length d, with or without fused multiply-add (Higham, Thm 3.1):
    /// γ_{d+2}.</summary>
    public double Gamma => (Dimension + 2) * Unit / (1 - (Dimension + 2) * Unit);

    /// <summary>Relative slack for the float64 reference's own rounding (its fixed-order sums over d
    /// coordinates).</summary>
    public double Delta => (Dimension + 16) * Math.ScaleB(1, -50);

    /// <summary>
    /// Per-row thresholds on the float32 dot product: a pair (i, j) may belong to F_ε only if
    /// dot ≥ candidate[i] + B[j], and certainly belongs if dot ≥ sure[i] + B[j] (B
    /// = <see cref="HalfSquaredNormsY"/>, zero for the angular metrics). The margin covers the float32 dot product
    /// error, the float32 evaluation of the threshold, underflow, and the rounding of the inputs to the float32 vectors
    /// the filter reads (ε widened by the radii for candidates, narrowed for sure pairs); pairs between the two are
    /// decided by <see cref="ExactCheck"/>.
    /// </summary>
    /// <remarks>Only rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) (−1: the last) are set: a band of
    /// rows pays for its own rows, not for all of them.</remarks>
    public void Thresholds(Func<int, double> epsilonOfRow, Span<float> candidate, Span<float> sure, ExactCheck exact,
        int rowStart = 0, int rowEnd = -1)
    {
        for (int i = rowStart; i < (rowEnd < 0 ? Rows : rowEnd); i++)
        {
            double epsilon = epsilonOfRow(i);
            if (Metric == FiberMetric.Euclidean)
            {
                double scaled = epsilon * Scale, shift = RadiiX[i] + MaxRadiusY;
                double high = shift == 0 ? scaled : (scaled + shift) * (1 + Widen);
                double low = shift == 0 ? scaled : Math.Max(0, (scaled - shift) * (1 - Widen));
                candidate[i] = EuclideanThreshold(i, high * high, up: false);
                sure[i] = EuclideanThreshold(i, low * low, up: true);
            }
            else
            {
                // In iff 1 − cos ≤ ε (cosine) or arccos(cos) ≤ ε (angular), i.e. cos ≥ c.
                var (lower, upper) = Metric == FiberMetric.Cosine ? (1 - epsilon, 1 - epsilon)
                    : epsilon > Math.PI ? (double.NegativeInfinity, double.NegativeInfinity) : exact.CosineOf(epsilon);
                candidate[i] = DownToSingle(lower - CosineMargin);
                sure[i] = UpToSingle(upper + CosineMargin);
            }
        }
    }

    private const double Widen = 1.0 / (1L << 50);

    /// <summary>The threshold for a squared working-domain tolerance e2: every pair (an infinite e2: every pair is
    /// within it).</summary>
    private float EuclideanThreshold(int i, double e2, bool up)
    {
        if (double.IsInfinity(e2)) return float.NegativeInfinity;
        double nx = SquaredNormsX[i], normX = Math.Sqrt(nx);
        double error = 2 * Gamma * normX * Math.Sqrt(MaxSquaredNormY)
            + Tiny * (Dimension + 8) * (1 + normX + Math.Sqrt(MaxSquaredNormY));
        double margin = error + Delta * (nx + MaxSquaredNormY + e2) + 4 * Unit * (nx + e2 + error + MaxSquaredNormY);
        return up ? UpToSingle((nx - e2 + margin) / 2) : DownToSingle((nx - e2 - margin) / 2);
    }

    /// <summary>How far the float32 dot product of two working unit vectors may lie from the exact cosine.</summary>
    private double CosineMargin => 1.01 * Gamma + 2.01 * Unit + Tiny * (Dimension + 8) + Delta + 1e-12;

    /// <summary>
    /// Whether the pair (i, j) is certainly in F_ε (+1), certainly out (−1), or undecided (0), from the fast path's
    /// float32 dot product alone: an interval around the exact distance that holds whatever ε (its own margin, from
    /// the pair's norms), so that one candidate test serves every tolerance of a profile.
    /// </summary>
    public int Classify(int i, int j, float dot, double epsilon, ExactCheck exact)
    {
        if (double.IsPositiveInfinity(epsilon)) return 1;
        if (Metric != FiberMetric.Euclidean)
        {
            var (lower, upper) = Metric == FiberMetric.Cosine ? (1 - epsilon - Unit * Unit, 1 - epsilon + Unit * Unit)
                : epsilon > Math.PI ? (double.NegativeInfinity, double.NegativeInfinity) : exact.CosineOf(epsilon);
            return dot - CosineMargin >= upper ? 1 : dot + CosineMargin < lower ? -1 : 0;
        }
        double nx = SquaredNormsX[i], ny = SquaredNormsY[j];
        double normX = Math.Sqrt(nx), normY = Math.Sqrt(ny);
        double estimate = nx + ny - 2.0 * dot;
        double error = 2 * Gamma * normX * normY + Tiny * (Dimension + 8) * (1 + normX + normY);
        double margin = error + Delta * (nx + ny) + 4 * Unit * Unit * (nx + ny + 2 * Math.Abs(dot) + error);
        double shift = RadiiX[i] + RadiiY[j];
        double low = (Math.Sqrt(Math.Max(0, estimate - margin)) - shift) / Scale * (1 - Widen);
        double high = (Math.Sqrt(estimate + margin) + shift) / Scale * (1 + Widen);
        return high <= epsilon ? 1 : low > epsilon ? -1 : 0;
    }

    /// <summary>The largest float32 at most v, and the smallest at least v (directed roundings for safe
    /// thresholds).</summary>
    internal static float DownToSingle(double v) { float f = (float)v; return f > v ? MathF.BitDecrement(f) : f; }

    internal static float UpToSingle(double v) { float f = (float)v; return f < v ? MathF.BitIncrement(f) : f; }

    /// <summary>A power of two that brings the largest magnitude into [1/2, 1) when it lies outside [2^-20, 2^20];
    /// else 1.</summary>
    private static double ChooseScale(double max)
    {
        if (max == 0 || (max >= 1.0 / (1 << 20) && max <= 1 << 20)) return 1;
        return Math.ScaleB(1, -(Math.ILogB(max) + 1));
    }

    /// <summary>
    /// Rows (count × d) packed in panels of 16: panel p, coordinate k, lane l holds row order[16p + l] (or 16p + l),
    /// coordinate k; zero-padded. Sixteen rows at a time, so each row is read once and each panel written once; large
    /// sets on the scope's workers (most of the time goes to the first touch of fresh memory, which the cores share
    /// well enough); without a scope on the calling thread.
    /// </summary>
    internal static unsafe float[] Pack(ReadOnlySpan<float> y, int count, int d, int panels, int[]? order = null,
        ExecutionScope? scope = null)
    {
        // Every lane of a row is written by the workers (which so touch the fresh memory in parallel); the padding
        // lanes of the last panel are cleared here.
        var packed = LargeArrays.AllocateUninitialized<float>((long)panels * PanelWidth * d);
        if (count < panels * PanelWidth) packed.AsSpan(count / PanelWidth * PanelWidth * d).Clear();
        if (scope is null || (long)panels * PanelWidth * d < 1 << 20)
        {
            PackPanels(y, count, d, 0, panels, order, packed);
            return packed;
        }
        // Slices of 64 panels (2 MiB at d = 512): the token is checked between them.
        const int Slice = 64;
        fixed (float* source = y)
        {
            float* rows = source; // a pointer, so that the workers can read the span's memory
            int length = y.Length;
            scope.For(0, (panels + Slice - 1) / Slice, s => PackPanels(new ReadOnlySpan<float>(rows, length), count, d,
                s * Slice, Math.Min(panels, (s + 1) * Slice), order, packed));
        }
        return packed;
    }

    [System.Runtime.CompilerServices.MethodImpl(
        System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void PackPanels(ReadOnlySpan<float> y, int count, int d, int firstPanel, int endPanel,
        int[]? order, float[] packed)
    {
        for (int p = firstPanel; p < endPanel; p++)
        {
            var panel = packed.AsSpan(p * PanelWidth * d, PanelWidth * d);
            for (int l = 0; l < PanelWidth && p * PanelWidth + l < count; l++)
            {
                int j = p * PanelWidth + l;
                var row = y.Slice((order is null ? j : order[j]) * d, d);
                for (int k = 0; k < d; k++) panel[k * PanelWidth + l] = row[k];
            }
        }
    }

    private static void RejectZeroRows(EmbeddingSet set, string name)
    {
        for (int i = 0; i < set.Count; i++)
            if (set.SquaredNorm(i) == 0 && IsZero(set, i)) // a float64 norm can underflow: look at the values
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Row {i} of {name} is the zero vector: its cosine and angular distances are undefined."), name);
    }

    private static bool IsZero(EmbeddingSet set, int row)
    {
        for (int k = 0; k < set.Dimension; k++) if (set[row, k] != 0) return false;
        return true;
    }
}
