using System.Globalization;
using FiberProduct.Algebra;

namespace FiberProduct.Embedding;

/// <summary>
/// An embedding map f: Z_n[x] → Z = R^d (the paper's f for images, g for texts) together with the ring metric it is
/// measured against, a Lipschitz bound for that metric when one is known (T4), and a bound on the rounding of the
/// float64 values it returns, so that certified statements hold for the returned values (<see cref="MovementBound"/>).
/// </summary>
public abstract class EmbeddingMap
{
    /// <summary>Creates the map's description.</summary>
    /// <param name="source">The ring Z_n[x] the map is defined on.</param>
    /// <param name="dimension">d, the dimension of Z.</param>
    /// <param name="metric">The ring metric the Lipschitz bound refers to.</param>
    /// <param name="lipschitz">A certified Lipschitz constant of the real-arithmetic map, or null when none
    /// is known.</param>
    /// <param name="roundingBound">ρ: every value returned by <see cref="Map"/> lies within ρ (Euclidean norm) of the
    /// real f(P).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is below 1 or a bound is negative or
    /// NaN.</exception>
    protected EmbeddingMap(PolynomialRing source, int dimension, RingMetric metric, double? lipschitz,
        double roundingBound = 0)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (lipschitz is double l && !(l >= 0))
            throw new ArgumentOutOfRangeException(nameof(lipschitz), l,
                "A Lipschitz constant is a non-negative number.");
        if (!(roundingBound >= 0))
            throw new ArgumentOutOfRangeException(nameof(roundingBound), roundingBound,
                "A rounding bound is a non-negative number.");
        Source = source;
        Dimension = dimension;
        Metric = metric;
        Lipschitz = lipschitz;
        RoundingBound = roundingBound;
    }

    /// <summary>ρ: how far (Euclidean norm) a value returned by <see cref="Map"/> may lie from the real
    /// f(P).</summary>
    public double RoundingBound { get; }

    /// <summary>
    /// A certified bound on ‖Map(P) − Map(P′)‖ for the returned values whenever d(P, P′)
    /// ≤ <paramref name="ringDistance"/>: L·δ + 2ρ, rounded upwards (the triangle inequality through the real
    /// values f(P) and f(P′)).
    /// </summary>
    /// <param name="ringDistance">δ, a bound on the ring distance of the two polynomials, in the units of
    /// <see cref="Metric"/> (coefficient units for Euclidean and Max, positions for Hamming).</param>
    /// <returns>L·δ + 2ρ rounded upwards: a bound in the Euclidean norm of Z = R^d.</returns>
    /// <exception cref="InvalidOperationException">No Lipschitz constant is known for this map.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ringDistance"/> is negative or NaN.</exception>
    public double MovementBound(double ringDistance)
    {
        if (!(ringDistance >= 0))
            throw new ArgumentOutOfRangeException(nameof(ringDistance), ringDistance,
                "A ring distance is a non-negative number.");
        double lipschitz = Lipschitz
            ?? throw new InvalidOperationException("The map has no certified Lipschitz constant.");
        return Upward.Of(lipschitz * ringDistance + 2 * RoundingBound);
    }

    /// <summary>The ring Z_n[x] the map is defined on.</summary>
    public PolynomialRing Source { get; }

    /// <summary>d, the dimension of Z.</summary>
    public int Dimension { get; }

    /// <summary>The metric on the ring that <see cref="Lipschitz"/> refers to.</summary>
    public RingMetric Metric { get; }

    /// <summary>A certified Lipschitz constant for <see cref="Metric"/>, or null when none is known (never an
    /// estimate).</summary>
    public double? Lipschitz { get; }

    /// <summary>f(P), in float64 (within <see cref="RoundingBound"/> of the real value).</summary>
    /// <param name="polynomial">P, a polynomial of <see cref="Source"/>.</param>
    /// <returns>A new array of <see cref="Dimension"/> values.</returns>
    /// <exception cref="ArgumentException">P belongs to another ring or lies outside the map's domain.</exception>
    public double[] Map(ZnPolynomial polynomial)
    {
        ArgumentNullException.ThrowIfNull(polynomial);
        if (polynomial.Ring != Source)
            throw new ArgumentException($"The map is defined on {Source}, not on {polynomial.Ring}.",
                nameof(polynomial));
        var result = MapCore(polynomial);
        if (result.Length != Dimension)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The map produced {result.Length} values instead of {Dimension}."));
        return result;
    }

    /// <summary>Maps a family of polynomials to a float64 embedding set (the values <see cref="Map"/> returns), rows in
    /// parallel.</summary>
    /// <param name="polynomials">The polynomials, one row each.</param>
    /// <param name="maxDegreeOfParallelism">Workers (−1: as many as the machine has).</param>
    /// <returns>A float64 set of <c>polynomials.Count</c> rows of <see cref="Dimension"/> values; row i is
    /// f(P_i).</returns>
    /// <exception cref="AggregateException">A polynomial belongs to another ring or lies outside the map's domain: the
    /// parallel loop wraps the <see cref="ArgumentException"/>s of the rows that failed.</exception>
    /// <exception cref="ArgumentException">A mapped value is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is 0 or below
    /// −1.</exception>
    public EmbeddingSet MapAll(IReadOnlyList<ZnPolynomial> polynomials, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(polynomials);
        var values = new double[polynomials.Count * Dimension];
        Parallel.For(0, polynomials.Count, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, i =>
            Map(polynomials[i]).CopyTo(values, i * Dimension));
        return new EmbeddingSet(values, polynomials.Count, Dimension);
    }

    /// <summary>The map itself, for a polynomial of <see cref="Source"/>.</summary>
    /// <param name="polynomial">P, already checked to belong to <see cref="Source"/>.</param>
    /// <returns>f(P) as <see cref="Dimension"/> float64 values, within <see cref="RoundingBound"/> of the real
    /// f(P).</returns>
    /// <exception cref="ArgumentException">Implementations throw it for a P outside the map's domain.</exception>
    protected abstract double[] MapCore(ZnPolynomial polynomial);
}

/// <summary>
/// Evaluation features: f(P) = (P(a_1), …, P(a_d)) / n, the values at d points of Z_n scaled into [0, 1). Reduction
/// mod n makes f far from smooth, but it is bounded on a discrete space: two distinct polynomials are at ring distance
/// ≥ 1 in every metric and their images at distance below √d, so √d is a Lipschitz constant for each metric.
/// </summary>
public sealed class EvaluationFeatureMap : EmbeddingMap
{
    private readonly uint[] points;

    /// <summary>The features at the given points of Z_n, for the given ring metric.</summary>
    /// <param name="source">Z_n[x].</param>
    /// <param name="points">a_1 … a_d, residues of Z_n; d = their count, at least 1. Copied.</param>
    /// <param name="metric">The ring metric the Lipschitz constant √d refers to (it holds for each).</param>
    /// <example>
    /// <code>
    /// var f = new EvaluationFeatureMap(PolynomialRing.Z256, [1, 2, 3, 5, 7], RingMetric.Euclidean);
    /// double[] v = f.Map(PolynomialRing.Z256.Create(12, 200, 255));   // (P(1), P(2), P(3), P(5), P(7)) / 256
    /// </code>
    /// </example>
    /// <exception cref="ArgumentOutOfRangeException">A point is not a residue of Z_n, or there are no
    /// points.</exception>
    public EvaluationFeatureMap(PolynomialRing source, IReadOnlyList<uint> points, RingMetric metric)
        : base(source, points?.Count ?? 0, metric, Upward.Of(Math.Sqrt(points?.Count ?? 0)),
               Upward.Of(Math.Sqrt(points?.Count ?? 0) * Math.ScaleB(1, -53))) // each quotient rounded once, below 1
    {
        this.points = points!.Select((a, i) => source.Coefficients.Check(a, nameof(points))).ToArray();
    }

    /// <inheritdoc/>
    protected override double[] MapCore(ZnPolynomial polynomial) =>
        points.Select(a => (double)polynomial.Evaluate(a) / Source.Modulus).ToArray();
}

/// <summary>
/// A lookup of precomputed embeddings (for instance a model's vectors for known texts): f(P) is the stored vector for
/// P. Its Lipschitz constant is unknown unless the caller certifies one.
/// </summary>
public sealed class LookupEmbeddingMap : EmbeddingMap
{
    private readonly Dictionary<ZnPolynomial, float[]> table;

    /// <summary>The map with the given table; every vector must have the same length and finite values.</summary>
    /// <param name="table">P ↦ f(P), at least one entry, all keys of one ring; the vectors are copied.</param>
    /// <param name="metric">The ring metric <paramref name="lipschitz"/> refers to.</param>
    /// <param name="lipschitz">A Lipschitz constant the caller certifies, or null (the default) when none
    /// is known.</param>
    /// <exception cref="ArgumentException">The table is empty, mixes rings or lengths, or holds a non-finite
    /// value.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lipschitz"/> is negative or NaN, or a vector is
    /// empty.</exception>
    public LookupEmbeddingMap(IReadOnlyDictionary<ZnPolynomial, float[]> table, RingMetric metric,
        double? lipschitz = null)
        : base(First(table).Key.Ring, First(table).Value.Length, metric, lipschitz)
    {
        this.table = new Dictionary<ZnPolynomial, float[]>();
        foreach (var (key, vector) in table)
        {
            if (key.Ring != Source)
                throw new ArgumentException($"The table mixes {Source} and {key.Ring}.", nameof(table));
            if (vector.Length != Dimension || vector.Any(v => !float.IsFinite(v)))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"The vector for {key} must hold {Dimension} finite values."), nameof(table));
            this.table[key] = (float[])vector.Clone();
        }
    }

    private static KeyValuePair<ZnPolynomial, float[]> First(IReadOnlyDictionary<ZnPolynomial, float[]> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Count == 0) throw new ArgumentException("The table is empty.", nameof(table));
        return table.First();
    }

    /// <inheritdoc/>
    protected override double[] MapCore(ZnPolynomial polynomial) =>
        table.TryGetValue(polynomial, out var vector)
            ? Array.ConvertAll(vector, v => (double)v) // widened exactly: no rounding
            : throw new ArgumentException($"No embedding is stored for {polynomial}.", nameof(polynomial));
}

/// <summary>A sampled lower bound on a map's Lipschitz constant: the largest ratio seen, never a certificate.</summary>
/// <param name="LowerBound">max ‖f(P) − f(P')‖ / d(P, P') over the sampled pairs at positive ring
/// distance.</param>
/// <param name="PairsSampled">How many pairs were compared.</param>
public sealed record LipschitzLowerBound(double LowerBound, int PairsSampled)
{
    /// <summary>
    /// Samples pairs from the given polynomials (all pairs when there are few) and returns the largest ratio
    /// ‖f(P) − f(P′)‖ / d(P, P′) under <see cref="EmbeddingMap.Metric"/>. Maps every polynomial once (N calls
    /// of <see cref="EmbeddingMap.Map"/>), then compares O(min(N²/2, maxPairs)) pairs; pairs at ring
    /// distance 0 are skipped.
    /// </summary>
    /// <param name="map">f.</param>
    /// <param name="polynomials">The sample of the source ring, all of <c>map.Source</c>.</param>
    /// <param name="maxPairs">Above this many distinct pairs, this many random pairs are drawn instead; at
    /// least 1.</param>
    /// <param name="seed">The seed of the random pairs, for reproducible results.</param>
    /// <returns>A lower bound on every Lipschitz constant of f (0 when no pair was at positive distance), and the
    /// number of pairs it was taken over.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPairs"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A polynomial is not in the map's domain.</exception>
    public static LipschitzLowerBound Sample(EmbeddingMap map, IReadOnlyList<ZnPolynomial> polynomials,
        int maxPairs = 10_000, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(polynomials);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPairs, 1);
        var random = new Random(seed);
        var images = polynomials.Select(map.Map).ToArray();
        double best = 0;
        int compared = 0;
        long all = (long)polynomials.Count * (polynomials.Count - 1) / 2;
        IEnumerable<(int, int)> pairs = all <= maxPairs
            ? from i in Enumerable.Range(0, polynomials.Count)
              from j in Enumerable.Range(i + 1, polynomials.Count - i - 1)
              select (i, j)
            : Enumerable.Range(0, maxPairs)
                .Select(_ => (random.Next(polynomials.Count), random.Next(polynomials.Count)));
        foreach (var (i, j) in pairs)
        {
            double ring = RingDistance.Between(map.Metric, polynomials[i], polynomials[j]);
            if (ring == 0) continue;
            double moved = Math.Sqrt(images[i].Zip(images[j], (a, b) => (a - b) * (a - b)).Sum());
            best = Math.Max(best, moved / ring);
            compared++;
        }
        return new LipschitzLowerBound(best, compared);
    }
}

/// <summary>Upper bounds of computed non-negative quantities: a few float64 roundings below the true value are
/// covered.</summary>
internal static class Upward
{
    /// <summary>The value inflated by 2^-48 (32 roundings of 2^-53) plus the smallest double, for certified
    /// constants.</summary>
    public static double Of(double value) => value * (1 + Math.ScaleB(1, -48)) + double.Epsilon;
}
