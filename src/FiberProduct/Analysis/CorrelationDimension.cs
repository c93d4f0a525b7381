using System.Globalization;
using FiberProduct.Fiber;

namespace FiberProduct.Analysis;

/// <summary>
/// Statement T6: at small ε, |F_ε| ≈ C·ε^ν, ν the correlation dimension of the cross-modal distances (Grassberger and
/// Procaccia 1983). ν is the log–log slope of the ε-profile between two tolerances r₁ &lt; r₂ read off nearest-neighbour
/// distances (as scikit-dimension's CorrInt does: the medians of each image's k₁-th and k₂-th nearest text distances),
/// with a bootstrap confidence interval from resampling the images.
/// </summary>
/// <param name="Dimension">The estimate ν = log(|F_{r₂}| / |F_{r₁}|) / log(r₂ / r₁).</param>
/// <param name="Lower">The lower end of the bootstrap percentile interval.</param>
/// <param name="Upper">The upper end of the bootstrap percentile interval.</param>
/// <param name="SmallRadius">r₁.</param>
/// <param name="LargeRadius">r₂.</param>
public sealed record CorrelationDimension(double Dimension, double Lower, double Upper, double SmallRadius, double LargeRadius)
{
    /// <summary>Estimates ν for a fiber product.</summary>
    /// <param name="product">The fiber product whose ε-profile is read.</param>
    /// <param name="k1">The nearest-neighbour rank that sets r₁ (default 10).</param>
    /// <param name="k2">The nearest-neighbour rank that sets r₂ (default 20), above <paramref name="k1"/>.</param>
    /// <param name="confidence">The coverage of the bootstrap interval (default 0.95).</param>
    /// <param name="resamples">Bootstrap resamples of the images (default 1000).</param>
    /// <param name="seed">Seed of the resampling.</param>
    /// <exception cref="ArgumentOutOfRangeException">The ranks are not 1 ≤ k₁ &lt; k₂ ≤ number of texts, or another argument is out of range.</exception>
    /// <exception cref="InvalidOperationException">The two radii coincide or a count is zero, so no slope exists.</exception>
    public static CorrelationDimension Estimate(ApproximateFiberProduct product, int k1 = 10, int k2 = 20, double confidence = 0.95, int resamples = 1000, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentOutOfRangeException.ThrowIfLessThan(k1, 1);
        if (k2 <= k1 || k2 > product.Texts.Count)
            throw new ArgumentOutOfRangeException(nameof(k2), k2, string.Create(CultureInfo.InvariantCulture, $"Expected {k1} < k2 ≤ {product.Texts.Count} (the number of texts)."));
        if (!(confidence > 0 && confidence < 1)) throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "Expected a coverage in (0, 1).");
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        int n = product.Images.Count;
        if (n == 0) throw new InvalidOperationException("There are no images.");

        // The k-th nearest text of every image, exactly: the k2 nearest within ε = ∞.
        var nearest = product.NearestWithin(double.PositiveInfinity, k2);
        var kth1 = new double[n];
        var kth2 = new double[n];
        for (int i = 0; i < n; i++)
        {
            var distances = nearest.DistancesOfRow(i).ToArray();
            Array.Sort(distances);
            kth1[i] = distances[k1 - 1];
            kth2[i] = distances[k2 - 1];
        }
        double r1 = Median(kth1), r2 = Median(kth2);
        if (!(r2 > r1)) throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The radii coincide (r₁ = r₂ = {r1}); the slope is undefined."));

        // Per-image counts at both radii, so the bootstrap only resamples rows.
        var pairs = product.Pairs(r2);
        var counts1 = new long[n];
        var counts2 = new long[n];
        for (int i = 0; i < n; i++)
        {
            var distances = pairs.DistancesOfRow(i);
            counts2[i] = distances.Length;
            foreach (double x in distances) if (x <= r1) counts1[i]++;
        }
        double estimate = Slope(counts1.Sum(), counts2.Sum(), r1, r2);

        var random = new Random(seed);
        var samples = new double[resamples];
        for (int b = 0; b < resamples; b++)
        {
            long c1 = 0, c2 = 0;
            for (int t = 0; t < n; t++) { int i = random.Next(n); c1 += counts1[i]; c2 += counts2[i]; }
            samples[b] = c1 == 0 ? double.PositiveInfinity : Slope(c1, c2, r1, r2);
        }
        Array.Sort(samples);
        double alpha = (1 - confidence) / 2;
        return new CorrelationDimension(estimate, samples[(int)Math.Floor(alpha * (resamples - 1))], samples[(int)Math.Ceiling((1 - alpha) * (resamples - 1))], r1, r2);
    }

    private static double Slope(long c1, long c2, double r1, double r2)
    {
        if (c1 == 0) throw new InvalidOperationException("No pair lies within r₁; the slope is undefined.");
        return Math.Log((double)c2 / c1) / Math.Log(r2 / r1);
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }
}
