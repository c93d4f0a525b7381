using FiberProduct.Embedding;
using FiberProduct.Fiber;

namespace FiberProduct.Tests.Fiber;

/// <summary>
/// The brute-force ε-join, written out plainly and independently of the engine: membership decided in exact rational
/// arithmetic (BigInteger), distances from the float64 reference sums brought into [0, ε] for pairs within ε (and the
/// cosine into [−1, 1]) — the contract of docs/concepts.md, pair for pair and bit for bit.
/// </summary>
internal static class BruteForce
{
    /// <summary>
    /// The float64 reference, spelled out in scalar code: eight interleaved partial sums over k mod 8, combined as
    /// ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7)), then the last d mod 8 terms in order (see ReferenceSums).
    /// </summary>
    private static double Sum(double[] x, double[] y, Func<double, double, double> term)
    {
        var s = new double[8];
        int blocked = x.Length / 8 * 8;
        for (int k = 0; k < blocked; k++) s[k % 8] += term(x[k], y[k]);
        double total = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
        for (int k = blocked; k < x.Length; k++) total += term(x[k], y[k]);
        return total;
    }

    private static double[] RowOf(EmbeddingSet set, int i)
    {
        var row = new double[set.Dimension];
        set.CopyRow(i, row);
        return row;
    }

    /// <summary>
    /// Whether the float64 sums of a pair lie in [2^-900, 2^900], where the engine reports them (float64 rows beyond
    /// that get a distance from exact sums, which this reference does not reproduce bit for bit: NaN marks them).
    /// </summary>
    private static bool InRange(FiberMetric metric, double[] x, double[] y)
    {
        bool Fits(double s) => s >= Math.ScaleB(1, -900) && s <= Math.ScaleB(1, 900);
        return metric == FiberMetric.Euclidean ? Fits(Sum(x, y, (a, b) => (a - b) * (a - b)))
            || Sum(x, y, (a, b) => (a - b) * (a - b)) == 0
            : Fits(Sum(x, x, (a, _) => a * a)) && Fits(Sum(y, y, (b, _) => b * b));
    }

    /// <summary>The float64 reference distance (no clamping to ε).</summary>
    public static double Distance(FiberMetric metric, double[] x, double[] y)
    {
        if (metric == FiberMetric.Euclidean) return Math.Sqrt(Sum(x, y, (a, b) => (a - b) * (a - b)));
        double cos = Sum(x, y, (a, b) => a * b) / (
            Math.Sqrt(Sum(x, x, (a, _) => a * a)) * Math.Sqrt(Sum(y, y, (b, _) => b * b)));
        cos = Math.Clamp(cos, -1, 1);
        return metric == FiberMetric.Cosine ? 1 - cos : Math.Acos(cos);
    }

    public static double Distance(FiberMetric metric, ReadOnlySpan<float> x, ReadOnlySpan<float> y) =>
        Distance(metric, Array.ConvertAll(x.ToArray(), v => (double)v), Array.ConvertAll(y.ToArray(), v => (double)v));

    public static List<FiberPair> Pairs(EmbeddingSet images, EmbeddingSet texts, Func<int, double> epsilonOfRow,
        FiberMetric metric = FiberMetric.Euclidean)
    {
        var pairs = new List<FiberPair>();
        var textRows = Enumerable.Range(0, texts.Count).Select(j => RowOf(texts, j)).ToArray();
        for (int i = 0; i < images.Count; i++)
        {
            var x = RowOf(images, i);
            double epsilon = epsilonOfRow(i);
            for (int j = 0; j < texts.Count; j++)
            {
                bool inRange = InRange(metric, x, textRows[j]);
                double r = Distance(metric, x, textRows[j]);
                // Far from ε (a relative 1e-6, far above the float64 sums' error) the float64 distance decides; near
                // it, and outside the float64 range, exact rational arithmetic does. (Relative for the Euclidean
                // distance; absolute for the cosine, whose float64 error is absolute; the angle only away from 0 and
                // π, where arccos magnifies it.)
                bool far = inRange && metric switch
                {
                    FiberMetric.Euclidean => Math.Abs(r - epsilon) > 1e-6 * Math.Max(r, epsilon) + 1e-300,
                    FiberMetric.Cosine => Math.Abs(r - epsilon) > 1e-9,
                    _ => r > 1e-3 && r < Math.PI - 1e-3 && Math.Abs(r - epsilon) > 1e-9,
                };
                bool within = far ? r <= epsilon : ExactRational.Within(metric, x, textRows[j], epsilon);
                if (within) pairs.Add(new FiberPair(i, j, inRange ? Math.Min(r, epsilon) : double.NaN));
            }
        }
        return pairs;
    }

    public static List<FiberPair> Pairs(EmbeddingSet images, EmbeddingSet texts, double epsilon,
        FiberMetric metric = FiberMetric.Euclidean) =>
        Pairs(images, texts, _ => epsilon, metric);

    /// <summary>The float64 reference distance of every pair, row-major.</summary>
    public static double[] AllDistances(EmbeddingSet images, EmbeddingSet texts,
        FiberMetric metric = FiberMetric.Euclidean)
    {
        var all = new double[images.Count * texts.Count];
        for (int i = 0; i < images.Count; i++)
            for (int j = 0; j < texts.Count; j++)
                all[i * texts.Count + j] = Distance(metric, RowOf(images, i), RowOf(texts, j));
        return all;
    }

    /// <summary>|F_ε| at each tolerance, exactly.</summary>
    public static long Count(EmbeddingSet images, EmbeddingSet texts, double epsilon,
        FiberMetric metric = FiberMetric.Euclidean) =>
        Pairs(images, texts, epsilon, metric).Count;
}

/// <summary>Embedding sets for tests: random, duplicated, on exact distances, at extreme magnitudes.</summary>
internal static class Sets
{
    public static EmbeddingSet Random(Random random, int count, int dimension, float scale = 1)
    {
        var values = new float[count * dimension];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return new EmbeddingSet(values, count, dimension);
    }

    /// <summary>Unit vectors with a shared component, so distances spread around 1 like CLIP's.</summary>
    public static EmbeddingSet Clustered(Random random, int count, int dimension, double spread)
    {
        var values = new float[count * dimension];
        for (int i = 0; i < count; i++)
        {
            double norm = 0;
            var row = new double[dimension];
            for (int k = 0; k < dimension; k++)
            {
                row[k] = (k == 0 ? 1 : 0) + spread * Gaussian(random);
                norm += row[k] * row[k];
            }
            for (int k = 0; k < dimension; k++) values[i * dimension + k] = (float)(row[k] / Math.Sqrt(norm));
        }
        return new EmbeddingSet(values, count, dimension);
    }

    public static double Gaussian(Random random) => FiberProduct.Numerics.StandardNormal.Sample(random);
}
