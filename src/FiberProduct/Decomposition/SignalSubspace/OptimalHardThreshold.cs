using System.Globalization;
using FiberProduct.Numerics;

namespace FiberProduct.Decomposition;

/// <summary>
/// The signal rank of one modality: given, or by Gavish and Donoho's optimal hard threshold for singular values under
/// unknown white noise (IEEE Trans. Inf. Theory 2014): keep σ &gt; ω(β)·median(σ), β the aspect ratio of the
/// centred data, ω(β) ≈ 0.56β³ − 0.95β² + 1.82β + 1.43.
/// </summary>
internal static class OptimalHardThreshold
{
    /// <summary>The given rank, checked against min(N − 1, d), or the threshold rank of the singular
    /// values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The given rank lies outside 0
    /// … <paramref name="maxRank"/>.</exception>
    public static int Rank(double[] singular, int samples, int d, int? given, int maxRank, string name)
    {
        if (given is int r)
        {
            if (r < 0 || r > maxRank)
                throw new ArgumentOutOfRangeException(name, r, string.Create(CultureInfo.InvariantCulture,
                    $"A signal rank must lie in 0 … min(N − 1, d) = {maxRank}."));
            return r;
        }
        // Only the min(N − 1, d) singular values that centring leaves can be non-zero. Values zero to working
        // precision are exactly 0 here (SignalSubspace.NumericalSingularValues), so degenerate data get their numerical
        // rank: when more than half of the values vanish the median, and the threshold, is 0 and every non-zero value
        // counts (rank-1 data give 1, constant data 0). Exactly low-rank data of a rank at or above half of min(N
        // − 1, d) have a signal value in the median, and the rule then treats part of the signal as noise (with min(N
        // − 1, d) = 1 it keeps nothing): give the rank then.
        double omega = Omega((double)Math.Min(samples - 1, d) / Math.Max(samples - 1, d));
        double median = singular.Length == 0 ? 0 : Quantiles.Median(singular);
        return singular.Count(sigma => sigma > omega * median && sigma > 0);
    }

    /// <summary>Gavish and Donoho's polynomial approximation of ω(β), the threshold over the median singular
    /// value.</summary>
    public static double Omega(double beta) => 0.56 * beta * beta * beta - 0.95 * beta * beta + 1.82 * beta + 1.43;
}
