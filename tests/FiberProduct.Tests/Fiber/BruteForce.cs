using FiberProduct.Embedding;
using FiberProduct.Fiber;

namespace FiberProduct.Tests.Fiber;

/// <summary>The float64 brute-force ε-join, written out plainly: the definition the engine must reproduce pair for pair.</summary>
internal static class BruteForce
{
    public static double Distance(FiberMetric metric, ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double sum = 0, dot = 0, nx = 0, ny = 0;
        for (int k = 0; k < x.Length; k++)
        {
            double diff = (double)x[k] - y[k];
            sum += diff * diff;
            dot += (double)x[k] * y[k];
            nx += (double)x[k] * x[k];
            ny += (double)y[k] * y[k];
        }
        double cos = dot / (Math.Sqrt(nx) * Math.Sqrt(ny));
        return metric switch
        {
            FiberMetric.Euclidean => Math.Sqrt(sum),
            FiberMetric.Cosine => 1 - cos,
            _ => Math.Acos(Math.Clamp(cos, -1, 1)),
        };
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
