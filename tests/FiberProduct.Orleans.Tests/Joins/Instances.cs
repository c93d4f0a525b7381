using FiberProduct.Embedding;
using FiberProduct.Fiber;

namespace FiberProduct.Orleans.Tests.Joins;

/// <summary>
/// Small sets on an integer grid: squared distances are integers, so many pairs lie exactly at ε = 1, 2, 3 (ties
/// with the boundary) and many at equal distances from one image (ties of top-k); repeated rows on purpose.
/// </summary>
public sealed record Instance(EmbeddingSet Images, EmbeddingSet Texts, FiberMetric Metric, int BlockRows, int ShardRows,
    double Epsilon, int K)
{
    /// <summary>The silos' pruning mode (only Always reaches the per-piece join).</summary>
    public PruningMode Pruning { get; init; } = PruningMode.Auto;

    public static readonly double[] Tolerances = [0, 1, 2, 3, Math.Sqrt(2), 2.5, double.PositiveInfinity];

    public static Instance Build(int n, int m, int d, int grid, bool wide, FiberMetric metric, int blockRows,
        int shardRows, int epsilonIndex, int k, int seed)
    {
        var random = new Random(seed);
        var images = Grid(n, d, grid, wide, metric, random);
        // Texts partly copy images (distance 0) and partly repeat each other (equal distances).
        var texts = Grid(m, d, grid, wide, metric, random, copyFrom: images);
        double epsilon = metric == FiberMetric.Euclidean ? Tolerances[epsilonIndex] : Tolerances[epsilonIndex] / 4;
        return new Instance(images, texts, metric, blockRows, shardRows, epsilon, k);
    }

    private static EmbeddingSet Grid(int count, int d, int grid, bool wide, FiberMetric metric, Random random,
        EmbeddingSet? copyFrom = null)
    {
        var values = new double[count * d];
        for (int i = 0; i < count; i++)
        {
            var row = values.AsSpan(i * d, d);
            if (copyFrom is { Count: > 0 } && random.Next(4) == 0) copyFrom.CopyRow(random.Next(copyFrom.Count), row);
            else if (i > 0 && random.Next(5) == 0) values.AsSpan(random.Next(i) * d, d).CopyTo(row);
            else for (int c = 0; c < d; c++) row[c] = random.Next(-grid, grid + 1);
            // Cosine and angular refuse zero rows.
            if (metric != FiberMetric.Euclidean && row.IndexOfAnyExcept(0.0) < 0) row[random.Next(d)] = 1;
        }
        return wide ? new EmbeddingSet(values, count, d)
            : new EmbeddingSet(values.Select(v => (float)v).ToArray(), count, d);
    }

    public override string ToString() =>
        $"{Images.Count}×{Texts.Count}×{Images.Dimension} {Images.Precision} {Metric}, blocks of {BlockRows}, "
        + $"shards of {ShardRows}, ε = {Epsilon}, k = {K}, pruning {Pruning}";
}
