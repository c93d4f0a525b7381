using FiberProduct.Embedding;
using FiberProduct.Fiber;

namespace FiberProduct.Tests.Fiber;

/// <summary>The float64 brute-force ε-join, written out plainly: the definition the engine must reproduce pair for pair.</summary>
internal static class BruteForce
{
    /// <summary>
    /// The float64 reference, spelled out in scalar code: eight interleaved partial sums over k mod 8, combined as
    /// ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7)), then the last d mod 8 terms in order (see ReferenceDistance).
    /// </summary>
    private static double Sum(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Func<double, double, double> term)
    {
        var s = new double[8];
        int blocked = x.Length / 8 * 8;
        for (int k = 0; k < blocked; k++) s[k % 8] += term(x[k], y[k]);
        double total = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
        for (int k = blocked; k < x.Length; k++) total += term(x[k], y[k]);
        return total;
    }

    public static double Distance(FiberMetric metric, ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (metric == FiberMetric.Euclidean) return Math.Sqrt(Sum(x, y, (a, b) => (a - b) * (a - b)));
        double cos = Sum(x, y, (a, b) => a * b) / (Math.Sqrt(Sum(x, x, (a, _) => a * a)) * Math.Sqrt(Sum(y, y, (b, _) => b * b)));
        return metric == FiberMetric.Cosine ? 1 - cos : Math.Acos(Math.Clamp(cos, -1, 1));
    }

    public static List<FiberPair> Pairs(EmbeddingSet images, EmbeddingSet texts, Func<int, double> epsilonOfRow, FiberMetric metric = FiberMetric.Euclidean)
    {
        var pairs = new List<FiberPair>();
        for (int i = 0; i < images.Count; i++)
            for (int j = 0; j < texts.Count; j++)
            {
                double distance = Distance(metric, images.Row(i), texts.Row(j));
                if (distance <= epsilonOfRow(i)) pairs.Add(new FiberPair(i, j, distance));
            }
        return pairs;
    }

    public static List<FiberPair> Pairs(EmbeddingSet images, EmbeddingSet texts, double epsilon, FiberMetric metric = FiberMetric.Euclidean) =>
        Pairs(images, texts, _ => epsilon, metric);

    public static double[] AllDistances(EmbeddingSet images, EmbeddingSet texts, FiberMetric metric = FiberMetric.Euclidean)
    {
        var all = new double[images.Count * texts.Count];
        for (int i = 0; i < images.Count; i++)
            for (int j = 0; j < texts.Count; j++) all[i * texts.Count + j] = Distance(metric, images.Row(i), texts.Row(j));
        return all;
    }
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
            for (int k = 0; k < dimension; k++) { row[k] = (k == 0 ? 1 : 0) + spread * Gaussian(random); norm += row[k] * row[k]; }
            for (int k = 0; k < dimension; k++) values[i * dimension + k] = (float)(row[k] / Math.Sqrt(norm));
        }
        return new EmbeddingSet(values, count, dimension);
    }

    public static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
