using System.Globalization;
using MathNet.Numerics;

namespace FiberProduct.Analysis;

/// <summary>
/// Statement T5 (docs/theorems.md): distances between independent uniform points of the unit sphere S^{d−1} ⊂ R^d,
/// the null model for "how many pairs would fall within ε by chance" in a d-dimensional embedding space.
/// P(‖x − y‖ ≤ ε) = P(⟨x, y⟩ ≥ t), t = 1 − ε²/2, which is ½·I_{1−t²}((d−1)/2, ½) for t ≥ 0
/// and 1 − ½·I_{1−t²}((d−1)/2, ½) for t &lt; 0, I the regularized incomplete beta function. At fixed ε &lt;
/// √2 it falls exponentially in d; the ε holding a fixed fraction of pairs tends to √2, with a
/// width of order 1/√d.
/// </summary>
public static class SphereDistances
{
    /// <summary>P(‖x − y‖ ≤ ε) for x, y independent and uniform on S^{d−1}.</summary>
    /// <param name="dimension">d ≥ 1, the ambient dimension.</param>
    /// <param name="epsilon">ε ≥ 0, a chordal distance (ε ≥ 2 holds every pair).</param>
    /// <returns>The probability, in [0, 1]; 0.5 for d = 1 (and ε &lt; 2).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is below 1, or ε is negative or
    /// NaN.</exception>
    /// <example>
    /// <code>
    /// double p = SphereDistances.ProbabilityWithin(512, 1.2);           // chance that a random pair lies within 1.2
    /// double expected = SphereDistances.ExpectedPairs(5000, 25000, 512, 1.2); // |F_1.2| expected by chance
    /// double median = SphereDistances.EpsilonForFraction(512, 0.5);      // near √2 in high dimension
    /// </code>
    /// </example>
    public static double ProbabilityWithin(int dimension, double epsilon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (!(epsilon >= 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be a non-negative number.");
        if (epsilon >= 2) return 1;
        // S^0 = {−1, +1}: the points coincide (distance 0) or are antipodal (distance 2)
        if (dimension == 1) return 0.5;
        if (epsilon == 0) return 0;
        double half = epsilon * epsilon / 2, t = 1 - half;
        // P(⟨x, y⟩ ≥ |t|) = ½·I_{1−t²}((d−1)/2, ½), with 1 − t² computed as (1 − t)(1 + t). Where
        // that tail is not small (|t| near 0, ε near √2) the complement ½ − ½·I_{t²}(½, (d−1)/2) keeps the
        // digits that 1 − t² would round away; where it is small, the direct form keeps the digits the
        // complement would cancel.
        double a = (dimension - 1) / 2.0;
        double tail = 0.5 * SpecialFunctions.BetaRegularized(a, 0.5, half * (2 - half));
        if (tail > 0.25) tail = 0.5 - 0.5 * SpecialFunctions.BetaRegularized(0.5, a, t * t);
        return t >= 0 ? tail : 1 - tail;
    }

    /// <summary>The expected |F_ε| for N images and M texts drawn independently and uniformly on S^{d−1}:
    /// N·M·P(‖x − y‖ ≤ ε).</summary>
    /// <param name="images">N ≥ 0.</param>
    /// <param name="texts">M ≥ 0.</param>
    /// <param name="dimension">d ≥ 1.</param>
    /// <param name="epsilon">ε ≥ 0.</param>
    /// <returns>The expected pair count, in [0, N·M].</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, d is below 1, or ε is negative or
    /// NaN.</exception>
    public static double ExpectedPairs(long images, long texts, int dimension, double epsilon)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(images);
        ArgumentOutOfRangeException.ThrowIfNegative(texts);
        return (double)images * texts * ProbabilityWithin(dimension, epsilon);
    }

    /// <summary>
    /// The correlation dimension (T6) that uniform points of S^{d−1} show between two radii, in closed form:
    /// log(P(‖x − y‖ ≤ r₂) / P(‖x − y‖ ≤ r₁)) / log(r₂ / r₁). It tends to d − 1, the sphere's
    /// dimension, as r₂ → 0, and grows far beyond it near √2, where most pairs lie: the reference that says
    /// whether a measured ν is a dimension.
    /// </summary>
    /// <param name="dimension">d ≥ 2.</param>
    /// <param name="smallRadius">r₁ &gt; 0.</param>
    /// <param name="largeRadius">r₂, with r₁ &lt; r₂ ≤ 2.</param>
    /// <returns>The slope ν of log P against log r between r₁ and r₂ (dimensionless, positive).</returns>
    /// <exception cref="ArgumentOutOfRangeException">d below 2, or the radii not 0 &lt; r₁ &lt; r₂
    /// ≤ 2.</exception>
    /// <exception cref="InvalidOperationException">P(‖x − y‖ ≤ r₁) underflows to 0 in double precision, so no
    /// slope exists.</exception>
    public static double CorrelationDimension(int dimension, double smallRadius, double largeRadius)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 2);
        if (!(smallRadius > 0))
            throw new ArgumentOutOfRangeException(nameof(smallRadius), smallRadius, "Expected r₁ > 0.");
        if (!(largeRadius > smallRadius && largeRadius <= 2))
            throw new ArgumentOutOfRangeException(nameof(largeRadius), largeRadius,
                string.Create(CultureInfo.InvariantCulture, $"Expected {smallRadius} < r₂ ≤ 2."));
        double p1 = ProbabilityWithin(dimension, smallRadius);
        if (p1 == 0)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"P(‖x − y‖ ≤ {smallRadius}) underflows to 0 on S^{dimension - 1}."));
        return Math.Log(ProbabilityWithin(dimension, largeRadius) / p1) / Math.Log(largeRadius / smallRadius);
    }

    /// <summary>The smallest ε with P(‖x − y‖ ≤ ε) ≥ <paramref name="fraction"/> (by bisection to the last
    /// bit).</summary>
    /// <param name="dimension">d ≥ 2.</param>
    /// <param name="fraction">The share of random pairs to hold, in (0, 1].</param>
    /// <returns>ε in (0, 2]: the <paramref name="fraction"/>-quantile of the distance between random points.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is outside (0, 1], or the dimension is
    /// below 2.</exception>
    public static double EpsilonForFraction(int dimension, double fraction)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 2);
        if (!(fraction > 0 && fraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction,
                string.Create(CultureInfo.InvariantCulture, $"Expected a fraction in (0, 1]."));
        double lo = 0, hi = 2;
        while (true)
        {
            double mid = lo + (hi - lo) / 2;
            if (mid <= lo || mid >= hi) return hi;
            if (ProbabilityWithin(dimension, mid) >= fraction) hi = mid; else lo = mid;
        }
    }
}
