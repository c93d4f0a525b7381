using System.Globalization;
using FiberProduct.Algebra;

namespace FiberProduct.Embedding;

/// <summary>
/// An embedding map f: Z_n[x] → Z = R^d (the paper's f for images, g for texts) together with the ring metric it is
/// measured against and a Lipschitz bound for that metric when one is known (T4).
/// </summary>
public abstract class EmbeddingMap
{
    /// <summary>Creates the map's description.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is below 1 or the bound is negative or NaN.</exception>
    protected EmbeddingMap(PolynomialRing source, int dimension, RingMetric metric, double? lipschitz)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (lipschitz is double l && !(l >= 0)) throw new ArgumentOutOfRangeException(nameof(lipschitz), l, "A Lipschitz constant is a non-negative number.");
        Source = source;
        Dimension = dimension;
        Metric = metric;
        Lipschitz = lipschitz;
    }

    /// <summary>The ring Z_n[x] the map is defined on.</summary>
    public PolynomialRing Source { get; }

    /// <summary>d, the dimension of Z.</summary>
    public int Dimension { get; }

    /// <summary>The metric on the ring that <see cref="Lipschitz"/> refers to.</summary>
    public RingMetric Metric { get; }

    /// <summary>A certified Lipschitz constant for <see cref="Metric"/>, or null when none is known (never an estimate).</summary>
    public double? Lipschitz { get; }

    /// <summary>f(P).</summary>
    /// <exception cref="ArgumentException">P belongs to another ring or lies outside the map's domain.</exception>
    public float[] Map(ZnPolynomial polynomial)
    {
        ArgumentNullException.ThrowIfNull(polynomial);
        if (polynomial.Ring != Source) throw new ArgumentException($"The map is defined on {Source}, not on {polynomial.Ring}.", nameof(polynomial));
        var result = MapCore(polynomial);
        if (result.Length != Dimension)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The map produced {result.Length} values instead of {Dimension}."));
        return result;
    }

    /// <summary>Maps a family of polynomials to an embedding set, rows in parallel.</summary>
    public EmbeddingSet MapAll(IReadOnlyList<ZnPolynomial> polynomials, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(polynomials);
        var values = new float[polynomials.Count * Dimension];
        Parallel.For(0, polynomials.Count, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, i =>
            Map(polynomials[i]).CopyTo(values, i * Dimension));
        return new EmbeddingSet(values, polynomials.Count, Dimension);
    }

    /// <summary>The map itself, for a polynomial of <see cref="Source"/>.</summary>
    protected abstract float[] MapCore(ZnPolynomial polynomial);
}

/// <summary>
/// Evaluation features: f(P) = (P(a_1), …, P(a_d)) / n, the values at d points of Z_n scaled into [0, 1). Reduction mod n
/// makes f far from smooth, but it is bounded on a discrete space: two distinct polynomials are at ring distance ≥ 1 in
/// every metric and their images at distance below √d, so √d is a Lipschitz constant for each metric.
/// </summary>
public sealed class EvaluationFeatureMap : EmbeddingMap
{
    private readonly uint[] points;

    /// <summary>The features at the given points of Z_n, for the given ring metric.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A point is not a residue of Z_n.</exception>
    public EvaluationFeatureMap(PolynomialRing source, IReadOnlyList<uint> points, RingMetric metric)
        : base(source, points?.Count ?? 0, metric, Math.Sqrt(points?.Count ?? 0))
    {
        this.points = points!.Select((a, i) => source.Coefficients.Check(a, nameof(points))).ToArray();
    }

    /// <inheritdoc/>
    protected override float[] MapCore(ZnPolynomial polynomial) =>
        points.Select(a => (float)((double)polynomial.Evaluate(a) / Source.Modulus)).ToArray();
}

/// <summary>
/// A lookup of precomputed embeddings (for instance a model's vectors for known texts): f(P) is the stored vector for P.
/// Its Lipschitz constant is unknown unless the caller certifies one.
/// </summary>
public sealed class LookupEmbeddingMap : EmbeddingMap
{
    private readonly Dictionary<ZnPolynomial, float[]> table;

    /// <summary>The map with the given table; every vector must have the same length and finite values.</summary>
    /// <exception cref="ArgumentException">The table is empty, mixes rings or lengths, or holds a non-finite value.</exception>
    public LookupEmbeddingMap(IReadOnlyDictionary<ZnPolynomial, float[]> table, RingMetric metric, double? lipschitz = null)
        : base(First(table).Key.Ring, First(table).Value.Length, metric, lipschitz)
    {
        this.table = new Dictionary<ZnPolynomial, float[]>();
        foreach (var (key, vector) in table)
        {
            if (key.Ring != Source) throw new ArgumentException($"The table mixes {Source} and {key.Ring}.", nameof(table));
            if (vector.Length != Dimension || vector.Any(v => !float.IsFinite(v)))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The vector for {key} must hold {Dimension} finite values."), nameof(table));
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
    protected override float[] MapCore(ZnPolynomial polynomial) =>
        table.TryGetValue(polynomial, out var vector)
            ? (float[])vector.Clone()
            : throw new ArgumentException($"No embedding is stored for {polynomial}.", nameof(polynomial));
}

/// <summary>A sampled lower bound on a map's Lipschitz constant: the largest ratio seen, never a certificate.</summary>
/// <param name="LowerBound">max ‖f(P) − f(P')‖ / d(P, P') over the sampled pairs at positive ring distance.</param>
/// <param name="PairsSampled">How many pairs were compared.</param>
public sealed record LipschitzLowerBound(double LowerBound, int PairsSampled)
{
    /// <summary>Samples pairs from the given polynomials (all pairs when there are few) and returns the largest ratio.</summary>
    public static LipschitzLowerBound Sample(EmbeddingMap map, IReadOnlyList<ZnPolynomial> polynomials, int maxPairs = 10_000, int seed = 0)
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
            ? from i in Enumerable.Range(0, polynomials.Count) from j in Enumerable.Range(i + 1, polynomials.Count - i - 1) select (i, j)
            : Enumerable.Range(0, maxPairs).Select(_ => (random.Next(polynomials.Count), random.Next(polynomials.Count)));
        foreach (var (i, j) in pairs)
        {
            double ring = RingDistance.Between(map.Metric, polynomials[i], polynomials[j]);
            if (ring == 0) continue;
            double moved = Math.Sqrt(images[i].Zip(images[j], (a, b) => ((double)a - b) * ((double)a - b)).Sum());
            best = Math.Max(best, moved / ring);
            compared++;
        }
        return new LipschitzLowerBound(best, compared);
    }
}
