using System.Globalization;
using FiberProduct.Embedding;
using FiberProduct.Numerics;

namespace FiberProduct.Analysis;

/// <summary>
/// The few sampling helpers every estimator and null model of Analysis shares, written once: argument checks, seeded
/// permutations and uniform points of a sphere (order statistics and normal deviates are in FiberProduct.Numerics).
/// </summary>
internal static class Resampling
{
    /// <summary>Rejects a coverage outside the open interval (0, 1).</summary>
    public static void CheckCoverage(double coverage, string name)
    {
        if (!(coverage > 0 && coverage < 1))
            throw new ArgumentOutOfRangeException(name, coverage, "Expected a coverage in (0, 1).");
    }

    /// <summary>A uniformly random permutation of 0 … n − 1 (Fisher–Yates), drawn from
    /// <paramref name="random"/>.</summary>
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

    /// <summary>
    /// <paramref name="count"/> points uniform on the unit sphere S^{d−1} ⊂ R^d: normalised standard Gaussian
    /// vectors (the law of T5), rounded to float32; the token is checked every 1,024 points.
    /// </summary>
    public static EmbeddingSet UniformSphere(Random random, int count, int dimension,
        CancellationToken cancellationToken = default)
    {
        var values = new float[(long)count * dimension];
        var row = new double[dimension];
        for (int i = 0; i < count; i++)
        {
            if ((i & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            double norm;
            do
            {
                norm = 0;
                StandardNormal.Fill(random, row);
                foreach (double v in row) norm += v * v;
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
