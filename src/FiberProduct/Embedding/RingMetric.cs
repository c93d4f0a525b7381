using FiberProduct.Algebra;

namespace FiberProduct.Embedding;

/// <summary>
/// The metric on a polynomial ring that a Lipschitz constant refers to. Coefficients are lifted to
/// the integers 0 … n − 1 and the shorter coefficient vector is padded with zeros.
/// </summary>
public enum RingMetric
{
    /// <summary>Euclidean distance of the lifted coefficient vectors (images).</summary>
    Euclidean,

    /// <summary>Largest coefficient difference of the lifted vectors (images).</summary>
    Max,

    /// <summary>The number of positions whose coefficients differ (texts: token substitutions).</summary>
    Hamming,
}

/// <summary>Distances between polynomials of one ring under a <see cref="RingMetric"/>.</summary>
public static class RingDistance
{
    /// <summary>d(P, Q) under the metric, on the coefficients lifted to 0 … n − 1 (O(max length)).</summary>
    /// <param name="metric">Euclidean, Max or Hamming.</param>
    /// <param name="p">P.</param>
    /// <param name="q">Q, of the same ring.</param>
    /// <returns>The distance: ‖c(P) − c(Q)‖₂, max_i |a_i − b_i| or #{i : a_i ≠ b_i}; 0 exactly when P = Q.
    /// Max and Hamming are exact; the Euclidean distance is summed and rooted in float64.</returns>
    /// <example>
    /// <code>
    /// var ring = PolynomialRing.ForVocabulary(30522);
    /// var a = ring.Create([101, 7592, 2088, 102]);
    /// var b = ring.Create([101, 7592, 3011, 102]);
    /// double substitutions = RingDistance.Between(RingMetric.Hamming, a, b);   // 1
    /// </code>
    /// </example>
    /// <exception cref="ArgumentException">P and Q belong to different rings.</exception>
    public static double Between(RingMetric metric, ZnPolynomial p, ZnPolynomial q)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(q);
        if (p.Ring != q.Ring) throw new ArgumentException($"Cannot measure between {p.Ring} and {q.Ring}.", nameof(q));
        int length = Math.Max(p.Length, q.Length);
        double sum = 0, max = 0;
        int differing = 0;
        for (int i = 0; i < length; i++)
        {
            double diff = Math.Abs((double)p[i] - q[i]);
            sum += diff * diff;
            max = Math.Max(max, diff);
            if (diff != 0) differing++;
        }
        return metric switch
        {
            RingMetric.Euclidean => Math.Sqrt(sum),
            RingMetric.Max => max,
            _ => differing,
        };
    }
}
