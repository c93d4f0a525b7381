using System.Globalization;
using FiberProduct.Embedding;

namespace FiberProduct.Analysis;

/// <summary>
/// The few sampling helpers every estimator and null model of Analysis shares, written once: argument checks,
/// percentile intervals of resampled statistics, medians, seeded permutations and uniform points of a sphere.
/// </summary>
internal static class Resampling
{
    /// <summary>Rejects a coverage outside the open interval (0, 1).</summary>
    public static void CheckCoverage(double coverage, string name)
    {
        if (!(coverage > 0 && coverage < 1))
            throw new ArgumentOutOfRangeException(name, coverage, "Expected a coverage in (0, 1).");
    }

    /// <summary>
    /// The central percentile interval of <paramref name="samples"/> (sorted in place): the order statistics at
    /// ⌊α(B − 1)⌋ and ⌈(1 − α)(B − 1)⌉, α = (1 − coverage)/2, so the interval never undercuts the nominal coverage.
    /// </summary>
    public static (double Lower, double Upper) PercentileInterval(double[] samples, double coverage)
    {
        Array.Sort(samples);
        double alpha = (1 - coverage) / 2;
        int last = samples.Length - 1;
        return (samples[(int)Math.Floor(alpha * last)], samples[(int)Math.Ceiling((1 - alpha) * last)]);
    }

    /// <summary>The median (the mean of the middle two of an even count).</summary>
    public static double Median(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty) throw new InvalidOperationException("The median of no values is undefined.");
        var sorted = values.ToArray();
        Array.Sort(sorted);
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    /// <summary>A uniformly random permutation of 0 … n − 1 (Fisher–Yates), drawn from <paramref name="random"/>.</summary>
    public static int[] Permutation(Random random, int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    /// <summary>A standard normal deviate (Box–Muller; 1 − U keeps the logarithm finite).</summary>
    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>
    /// <paramref name="count"/> points uniform on the unit sphere S^{d−1} ⊂ R^d: normalised standard Gaussian vectors
    /// (the law of T5), rounded to float32.
    /// </summary>
    public static EmbeddingSet UniformSphere(Random random, int count, int dimension)
    {
        var values = new float[(long)count * dimension];
        var row = new double[dimension];
        for (int i = 0; i < count; i++)
        {
            double norm;
            do
            {
                norm = 0;
                for (int k = 0; k < dimension; k++) { row[k] = Gaussian(random); norm += row[k] * row[k]; }
            } while (norm == 0);
            norm = Math.Sqrt(norm);
            for (int k = 0; k < dimension; k++) values[(long)i * dimension + k] = (float)(row[k] / norm);
        }
        return new EmbeddingSet(values, count, dimension);
    }

    /// <summary>The rows <paramref name="rows"/> of a set, in that order, as a new set.</summary>
    public static EmbeddingSet SelectRows(EmbeddingSet set, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(set);
        return set.SelectRows(rows); // in the set's own precision
    }

    /// <summary>Formats a number for an exception message, culture-invariant.</summary>
    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
