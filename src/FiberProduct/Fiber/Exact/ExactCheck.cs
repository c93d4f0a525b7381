using System.Collections.Concurrent;
using FiberProduct.Embedding;
using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Fiber.Exact;

/// <summary>
/// Decides, for a pair the fast path could not settle, whether the exact real distance between the stored vectors is at
/// most ε (ε a double, taken exactly), and reports its distance. First from the fixed-order float64 sums of
/// <see cref="ReferenceSums"/> with a rigorous error bound; when ε lies within that bound, from exact dyadic
/// arithmetic (<see cref="ExactSums"/>), so that no decision depends on an order of summation
/// (docs/concepts.md, "Exactness").
/// </summary>
/// <remarks>
/// Bounds of the float64 stage, for d coordinates and u = 2^-53. Euclidean: each difference, square and addition
/// rounds once, every term is non-negative and takes part in at most d additions, so |s − ‖x − y‖²|
/// ≤ γ_{d+2}·s·(1 + γ_{d+2}); (d + 8)·2^-52·s covers it and the rounding of the test itself. Cosine: the dot
/// product and both squared norms are within γ_{d+1}‖x‖‖y‖ (Cauchy–Schwarz bounds Σ|x_k y_k|), the square
/// roots, product and quotient add 4u, so the cosine is within 2γ_{d+1} + 4u, covered by (2d + 24)·2^-52. float32
/// rows never underflow or overflow in float64; float64 rows whose sums leave [2^-900, 2^900] skip this stage and go
/// to the exact one.
/// </remarks>
internal sealed class ExactCheck
{
    private readonly EmbeddingSet images, texts;
    private readonly int[]? rowOrder, columnOrder;
    private readonly FiberMetric metric;
    private readonly int d;
    private readonly double relative, cosineBound;
    private readonly ConcurrentDictionary<double, (double Lower, double Upper)> cosines = new();

    public ExactCheck(JoinOperands op)
    {
        images = op.Images;
        texts = op.Texts;
        rowOrder = op.RowOrder;
        columnOrder = op.ColumnOrder;
        metric = op.Metric;
        d = op.Dimension;
        relative = (d + 8) * Math.ScaleB(1, -52);
        cosineBound = (2 * d + 24) * Math.ScaleB(1, -52) + Math.ScaleB(1, -160);
    }

    /// <summary>
    /// How far a reported distance r may lie from the exact one: Relative·r + Absolute. Euclidean: half the relative
    /// bound of the squared sum plus the square root's rounding; cosine: the cosine's bound; angular: the arc cosine
    /// can magnify the cosine's error without bound near 0 and π, so no bound is claimed (infinite).
    /// </summary>
    public double RelativeDistanceError => metric == FiberMetric.Euclidean ? relative : 0;

    public double AbsoluteDistanceError => metric switch
    {
        FiberMetric.Euclidean => 0,
        FiberMetric.Cosine => cosineBound + Math.ScaleB(1, -52),
        _ => double.PositiveInfinity,
    };

    /// <summary>The float64 value of one pair: ‖x − y‖² (Euclidean) or the cosine, and whether its bound
    /// holds.</summary>
    private readonly record struct Reference(double Value, bool Reliable);

    private Reference Evaluate(int i, int j)
    {
        if (images.Precision == EmbeddingPrecision.Float32)
        {
            ReadOnlySpan<float> x = images.Row(i), y = texts.Row(j);
            return metric == FiberMetric.Euclidean
                ? new(ReferenceSums.SquaredEuclidean(x, y), true)
                : new(ReferenceSums.Dot(x, y) / (Math.Sqrt(images.SquaredNorm(i)) * Math.Sqrt(texts.SquaredNorm(j))),
                    true);
        }
        ReadOnlySpan<double> a = images.DoubleRow(i), b = texts.DoubleRow(j);
        if (metric == FiberMetric.Euclidean)
        {
            double s = ReferenceSums.SquaredEuclidean(a, b);
            return new(s, s >= Math.ScaleB(1, -900) && s <= Math.ScaleB(1, 900));
        }
        double nx = images.SquaredNorm(i), ny = texts.SquaredNorm(j);
        bool inRange = nx >= Math.ScaleB(1, -900) && nx <= Math.ScaleB(1, 900) && ny >= Math.ScaleB(1, -900)
            && ny <= Math.ScaleB(1, 900);
        return new(inRange ? ReferenceSums.Dot(a, b) / (Math.Sqrt(nx) * Math.Sqrt(ny)) : double.NaN, inRange);
    }

    /// <summary>The reported distance of join row i and column j: from the float64 sums, or the exact ones where those
    /// failed.</summary>
    [System.Runtime.CompilerServices.MethodImpl(
        System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public double Distance(int i, int j)
    {
        Map(ref i, ref j);
        return Distance(i, j, Evaluate(i, j));
    }

    private double Distance(int i, int j, Reference reference)
    {
        if (metric == FiberMetric.Euclidean)
        {
            if (reference.Reliable) return Math.Sqrt(reference.Value);
            var (n, e) = ExactSums.SquaredEuclidean(Widened(images, i), Widened(texts, j));
            return Dyadic.Sqrt(n, e);
        }
        double cosine = reference.Reliable ? reference.Value : ExactSums.Cosine(Widened(images, i), Widened(texts, j));
        // The exact cosine lies in [−1, 1] (Cauchy–Schwarz): a rounded one outside is brought back to the range.
        cosine = Math.Clamp(cosine, -1.0, 1.0);
        return metric == FiberMetric.Cosine ? 1 - cosine : Math.Acos(cosine);
    }

    /// <summary>
    /// Whether the pair lies in F_ε, exactly, with its reported distance: the float64 distance, brought into [0, ε]
    /// when the pair is in (it differs from the exact distance, which is in there, by rounding only).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(
        System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool Within(int i, int j, double epsilon, out double distance)
    {
        Map(ref i, ref j);
        var reference = Evaluate(i, j);
        distance = Distance(i, j, reference);
        bool inside = Decide(i, j, reference, epsilon);
        if (inside) distance = Math.Min(distance, epsilon);
        return inside;
    }

    /// <summary>
    /// The smallest double ε with the pair in F_ε: the pair's own tolerance. The float64 distance may be rounded
    /// either way, so it is stepped one ulp at a time (a few steps at most, by the distance's error bound) until the
    /// exact decision turns.
    /// </summary>
    public double Tolerance(int i, int j)
    {
        double epsilon = Distance(i, j);
        Func<double, bool> holds = e => Within(i, j, e);
        if (metric == FiberMetric.Euclidean)
        {
            // The exact squared distance once; then each step is a comparison with ε².
            var (a, b) = (i, j);
            Map(ref a, ref b);
            var (n, exponent) = ExactSums.SquaredEuclidean(Widened(images, a), Widened(texts, b));
            holds = e => Holds(n, exponent, e);
        }
        while (!holds(epsilon)) epsilon = Math.BitIncrement(epsilon);
        while (epsilon > 0 && holds(Math.BitDecrement(epsilon))) epsilon = Math.BitDecrement(epsilon);
        return epsilon;
    }

    /// <summary>Whether n·2^e ≤ ε², exactly.</summary>
    private static bool Holds(System.Numerics.BigInteger n, int e, double epsilon)
    {
        var (m, f) = Dyadic.Split(epsilon);
        return Dyadic.Compare(n, e, (System.Numerics.BigInteger)m * m, 2 * f) <= 0;
    }

    /// <summary>Whether the pair lies in F_ε, exactly.</summary>
    public bool Within(int i, int j, double epsilon)
    {
        Map(ref i, ref j);
        return Decide(i, j, Evaluate(i, j), epsilon);
    }

    /// <summary>
    /// The reference distances from join row i to the columns column0 + lane for the lanes of a mask that lie within
    /// ε; returns how many.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(
        System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public int Within(int i, int column0, uint lanes, double epsilon, Span<int> columns, Span<double> distances)
    {
        int count = 0;
        while (lanes != 0)
        {
            int column = column0 + RangeJoin.NextLane(ref lanes);
            if (!Within(i, column, epsilon, out double distance)) continue;
            columns[count] = column;
            distances[count++] = distance;
        }
        return count;
    }

    private void Map(ref int i, ref int j)
    {
        if (rowOrder is not null) i = rowOrder[i];
        if (columnOrder is not null) j = columnOrder[j];
    }

    private bool Decide(int i, int j, Reference reference, double epsilon)
    {
        if (double.IsPositiveInfinity(epsilon)) return true;
        return metric switch
        {
            FiberMetric.Euclidean => DecideEuclidean(i, j, reference, epsilon),
            FiberMetric.Cosine => DecideCosine(i, j, reference, epsilon),
            _ => DecideAngular(i, j, reference, epsilon),
        };
    }

    private bool DecideEuclidean(int i, int j, Reference reference, double epsilon)
    {
        if (reference.Reliable)
        {
            double s = reference.Value, bound = relative * s;
            double e2 = epsilon * epsilon;
            // ε² to within its rounding (and its underflow); ε = 0 is exact.
            double low = epsilon == 0 ? 0 : double.IsInfinity(e2) ? double.MaxValue
                : e2 - relative * e2 - double.Epsilon;
            double high = epsilon == 0 ? 0 : e2 + relative * e2 + double.Epsilon;
            if (s + bound <= low) return true;
            if (s - bound > high) return false;
        }
        var (n, e) = ExactSums.SquaredEuclidean(Widened(images, i), Widened(texts, j));
        return Holds(n, e, epsilon);
    }

    private bool DecideCosine(int i, int j, Reference reference, double epsilon)
    {
        // 1 − cos ≤ ε ⇔ cos ≥ 1 − ε; the cosine is never below −1.
        if (epsilon >= 2) return true;
        if (reference.Reliable)
        {
            double t = 1 - epsilon; // within 2^-53 of the exact 1 − ε, which lies in (−1, 1]
            if (reference.Value - cosineBound >= t + Math.ScaleB(1, -52)) return true;
            if (reference.Value + cosineBound < t - Math.ScaleB(1, -52)) return false;
        }
        var (m, f) = Dyadic.Split(epsilon);
        var (tm, te) = Dyadic.Subtract(System.Numerics.BigInteger.One, 0, m, f);
        return ExactSums.CosineAtLeast(Widened(images, i), Widened(texts, j), tm, te);
    }

    private bool DecideAngular(int i, int j, Reference reference, double epsilon)
    {
        // θ ≤ ε ⇔ cos θ ≥ cos ε on [0, π]; a double above Math.PI (which is below π) is above π.
        if (epsilon > Math.PI) return true;
        if (reference.Reliable)
        {
            var (lower, upper) = CosineOf(epsilon);
            if (reference.Value - cosineBound >= upper) return true;
            if (reference.Value + cosineBound < lower) return false;
        }
        var (x, y) = (Widened(images, i), Widened(texts, j));
        // cos ε is irrational for ε ≠ 0 and the cosine of two stored vectors algebraic, so they differ and finer
        // bounds separate them (ε = 0 has exact bounds).
        for (int bits = 128; bits <= 1 << 14; bits *= 4)
        {
            var bounds = CosineBounds.Of(epsilon, bits);
            if (ExactSums.CosineAtLeast(x, y, bounds.Upper, -bounds.Bits)) return true;
            if (!ExactSums.CosineAtLeast(x, y, bounds.Lower, -bounds.Bits)) return false;
        }
        throw new InvalidOperationException(
            "Unreachable: the cosine of two stored vectors equalled cos ε to 16,384 bits.");
    }

    /// <summary>Rigorous float64 bounds on cos ε (ε in [0, π)), computed once per tolerance.</summary>
    public (double Lower, double Upper) CosineOf(double epsilon) =>
        cosines.GetOrAdd(epsilon, static e => CosineBounds.Of(e, 128).AsDoubles());

    private static double[] Widened(EmbeddingSet set, int row)
    {
        var values = new double[set.Dimension];
        set.CopyRow(row, values);
        return values;
    }
}
