using System.Globalization;
using FiberProduct.Embedding;

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
    private const double Tiny = 1.0 / (1L << 62) / (1L << 62) / (1L << 16); // 2^-140: absolute slack for subnormal rounding

    public JoinOperands(EmbeddingSet images, EmbeddingSet texts, FiberMetric metric, int[]? rowOrder = null, int[]? columnOrder = null)
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
        if (metric == FiberMetric.Euclidean)
        {
            Scale = ChooseScale(images, texts);
            X = Scale == 1 ? images.Memory : Scaled(images.Values, Scale);
            y = Scale == 1 ? texts.Memory : Scaled(texts.Values, Scale);
        }
        else
        {
            RejectZeroRows(images, nameof(images));
            RejectZeroRows(texts, nameof(texts));
            Scale = 1;
            X = images.UnitVectors.Memory;
            y = texts.UnitVectors.Memory;
        }
        PackedY = Pack(y.Span, texts.Count, Dimension, Panels, columnOrder);
        // Unscaled Euclidean copies are the sets themselves: their norms are already known (same sums, same order).
        bool asGiven = metric == FiberMetric.Euclidean && Scale == 1;
        var normsX = asGiven ? images.SquaredNorms : metric == FiberMetric.Euclidean ? EmbeddingSet.ComputeSquaredNorms(X.Span, images.Count, Dimension) : images.UnitVectors.SquaredNorms;
        var normsY = asGiven ? texts.SquaredNorms : metric == FiberMetric.Euclidean ? EmbeddingSet.ComputeSquaredNorms(y.Span, texts.Count, Dimension) : texts.UnitVectors.SquaredNorms;
        SquaredNormsX = InOrder(normsX, rowOrder);
        SquaredNormsY = InOrder(normsY, columnOrder);
        (HalfSquaredNormsY, MaxSquaredNormY) = HalfNorms(SquaredNormsY, Panels, metric == FiberMetric.Euclidean);
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

    /// <summary>Squared norms in the working domain, in join order.</summary>
    public double[] SquaredNormsX { get; }
    public double[] SquaredNormsY { get; }
    public float[] HalfSquaredNormsY { get; }
    public double MaxSquaredNormY { get; }

    /// <summary>Error of a float32 dot product of length d, with or without fused multiply-add (Higham, Thm 3.1): γ_{d+2}.</summary>
    public double Gamma => (Dimension + 2) * Unit / (1 - (Dimension + 2) * Unit);

    /// <summary>Relative slack for the float64 reference's own rounding (its fixed-order sums over d coordinates).</summary>
    public double Delta => (Dimension + 16) * Math.ScaleB(1, -50);

    /// <summary>
    /// Per-row thresholds on the float32 dot product: a pair (i, j) may belong to F_ε only if
    /// dot ≥ candidate[i] + B[j], and certainly belongs if dot ≥ sure[i] + B[j] (B = <see cref="HalfSquaredNormsY"/>,
    /// zero for the angular metrics). The margin covers the float32 dot product error, the float32 evaluation of the
    /// threshold, underflow, and the float64 rounding of the reference; pairs between the two are decided by the
    /// reference (shared/DESIGN.md §6: identical pair sets).
    /// </summary>
    public void Thresholds(Func<int, double> epsilonOfRow, Span<float> candidate, Span<float> sure, Span<double> margins = default)
    {
        int d = Dimension;
        double maxNormY = Math.Sqrt(MaxSquaredNormY);
        for (int i = 0; i < Rows; i++)
        {
            double epsilon = epsilonOfRow(i);
            if (Metric == FiberMetric.Euclidean)
            {
                double nx = SquaredNormsX[i], normX = Math.Sqrt(nx);
                double e2 = epsilon * Scale * (epsilon * Scale);
                if (double.IsInfinity(e2))
                {
                    candidate[i] = sure[i] = float.NegativeInfinity; // every pair is within an infinite (or overflowing) ε
                    if (!margins.IsEmpty) margins[i] = 0;
                    continue;
                }
                double error = 2 * Gamma * normX * maxNormY + Tiny * (d + 8) * (1 + normX + maxNormY);
                double margin = error + Delta * (nx + MaxSquaredNormY + e2) + 4 * Unit * (nx + e2 + error + MaxSquaredNormY);
                candidate[i] = DownToSingle((nx - e2 - margin) / 2);
                sure[i] = UpToSingle((nx - e2 + margin) / 2);
                if (!margins.IsEmpty) margins[i] = margin;
            }
            else
            {
                // In iff 1 − cos ≤ ε (cosine) or arccos(cos) ≤ ε (angular), i.e. cos ≥ c.
                double c = Metric == FiberMetric.Cosine ? 1 - epsilon : epsilon >= Math.PI ? double.NegativeInfinity : Math.Cos(epsilon);
                double margin = 1.01 * Gamma + 2.01 * Unit + Tiny * (d + 8) + Delta + 1e-12;
                candidate[i] = DownToSingle(c - margin);
                sure[i] = UpToSingle(c + margin);
                if (!margins.IsEmpty) margins[i] = margin;
            }
        }
    }

    /// <summary>
    /// An interval that holds the reference distance of (i, j), from the fast path's float32 dot product and the
    /// row's margin (as computed by <see cref="Thresholds"/> for an ε at least as large as the one asked about).
    /// </summary>
    public (double Low, double High) DistanceBounds(int i, int j, float dot, double margin)
    {
        const double Widen = 1.0 / (1L << 50);
        if (Metric == FiberMetric.Euclidean)
        {
            double estimate = SquaredNormsX[i] + SquaredNormsY[j] - 2.0 * dot;
            double inverseScale = 1 / Scale;
            double low = Math.Sqrt(Math.Max(0, estimate - margin)) * inverseScale, high = Math.Sqrt(Math.Max(0, estimate + margin)) * inverseScale;
            return (low * (1 - Widen), high * (1 + Widen));
        }
        double cosLow = dot - margin, cosHigh = dot + margin;
        if (Metric == FiberMetric.Cosine) return (1 - cosHigh - 1e-15, 1 - cosLow + 1e-15);
        return (Math.Acos(Math.Min(1, cosHigh)) - 1e-12, Math.Acos(Math.Max(-1, cosLow)) + 1e-12);
    }

    /// <summary>The largest float32 at most v, and the smallest at least v (directed roundings for safe thresholds).</summary>
    internal static float DownToSingle(double v) { float f = (float)v; return f > v ? MathF.BitDecrement(f) : f; }

    internal static float UpToSingle(double v) { float f = (float)v; return f < v ? MathF.BitIncrement(f) : f; }

    /// <summary>A power of two that brings the largest magnitude into [1/2, 1) when it lies outside [2^-20, 2^20]; else 1.</summary>
    private static double ChooseScale(EmbeddingSet x, EmbeddingSet y)
    {
        float max = Math.Max(x.MaxMagnitude, y.MaxMagnitude);
        if (max == 0 || (max >= 1f / (1 << 20) && max <= 1 << 20)) return 1;
        return Math.ScaleB(1, -(Math.ILogB(max) + 1));
    }

    private static float[] Scaled(ReadOnlySpan<float> values, double scale)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = (float)(values[i] * scale);
        return result;
    }

    /// <summary>
    /// Rows (count × d) packed in panels of 16: panel p, coordinate k, lane l holds row order[16p + l] (or 16p + l),
    /// coordinate k; zero-padded. Sixteen rows at a time, so each row is read once and each panel written once; large
    /// sets on all cores (most of the time goes to the first touch of fresh memory, which the cores share well enough).
    /// </summary>
    internal static unsafe float[] Pack(ReadOnlySpan<float> y, int count, int d, int panels, int[]? order = null)
    {
        // Every lane of a row is written by the workers (which so touch the fresh memory in parallel); the padding lanes
        // of the last panel are cleared here.
        var packed = LargeArrays.AllocateUninitialized<float>((long)panels * PanelWidth * d);
        if (count < panels * PanelWidth) packed.AsSpan(count / PanelWidth * PanelWidth * d).Clear();
        if ((long)panels * PanelWidth * d < 1 << 20)
        {
            PackPanels(y, count, d, 0, panels, order, packed);
            return packed;
        }
        int workers = Environment.ProcessorCount;
        fixed (float* source = y)
        {
            float* rows = source; // a pointer, so that the workers can read the span's memory
            int length = y.Length;
            Parallel.For(0, workers, w => PackPanels(new ReadOnlySpan<float>(rows, length), count, d,
                (int)((long)panels * w / workers), (int)((long)panels * (w + 1) / workers), order, packed));
        }
        return packed;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void PackPanels(ReadOnlySpan<float> y, int count, int d, int firstPanel, int endPanel, int[]? order, float[] packed)
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
            if (set.SquaredNorm(i) == 0)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Row {i} of {name} is the zero vector: its cosine and angular distances are undefined."), name);
    }
}
