namespace FiberProduct.Numerics;

/// <summary>
/// Order statistics of samples, written once: the interpolated percentile the resampled bounds use, the median, and
/// the conservative central interval the bootstraps and null bands use.
/// </summary>
internal static class Quantiles
{
    /// <summary>
    /// The q-quantile of ascending values, linear between the order statistics at positions q·(n − 1) (Hyndman and
    /// Fan's type 7, NumPy's default); NaN for no values.
    /// </summary>
    public static double OfSorted(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.IsEmpty) return double.NaN;
        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(sorted.Length - 1, lower + 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }

    /// <summary>The p-th percentile (p in [0, 100]) of <paramref name="samples"/>, which are sorted in place.</summary>
    public static double Percentile(double[] samples, double p)
    {
        Array.Sort(samples);
        return OfSorted(samples, p / 100);
    }

    /// <summary>The median (the mean of the middle two of an even count); the values are not changed.</summary>
    /// <exception cref="InvalidOperationException">There are no values.</exception>
    public static double Median(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty) throw new InvalidOperationException("The median of no values is undefined.");
        var sorted = values.ToArray();
        Array.Sort(sorted);
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    /// <summary>
    /// The central interval of <paramref name="samples"/> (sorted in place) of the given coverage: the order statistics
    /// at ⌊α(B − 1)⌋ and ⌈(1 − α)(B − 1)⌉, α = (1 − coverage)/2. Rounded outwards, not interpolated,
    /// so the interval never undercuts the nominal coverage.
    /// </summary>
    public static (double Lower, double Upper) CentralInterval(double[] samples, double coverage)
    {
        Array.Sort(samples);
        double alpha = (1 - coverage) / 2;
        int last = samples.Length - 1;
        return (samples[(int)Math.Floor(alpha * last)], samples[(int)Math.Ceiling((1 - alpha) * last)]);
    }
}
