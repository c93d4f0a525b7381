using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FiberProduct.Embedding;
using FiberProduct.Execution;

namespace FiberProduct.Fiber.Pruning;

/// <summary>
/// Float32 heads (rows of <see cref="Width"/> coordinates) of some rows of a set, with their float64 squared norms.
/// </summary>
internal sealed record HeadSample(float[] Heads, double[] Norms, int Width)
{
    public int Count => Norms.Length;

    /// <summary>The heads along every axis of <paramref name="projector"/> of the given rows.</summary>
    public static HeadSample Of(HeadProjector projector, EmbeddingSet set, int[] rows, ExecutionScope scope) =>
        new(projector.Heads(set, rows, projector.Axes, scope), rows.Select(set.SquaredNorm).ToArray(), projector.Axes);
}

/// <summary>
/// What the cost model needs to know about the data: for each candidate head dimension k, the fraction of sampled
/// pairs, or of sampled tiles, that the head test cannot rule out at ε (and the fraction that the leading k
/// coordinates alone cannot). Estimates on float32 heads, widened by the quantisation's step per coordinate.
/// </summary>
internal static class TileSurvival
{
    /// <summary>Tiles sampled, and the micro-panels and panels they are drawn between.</summary>
    public const int SampledTiles = 384, SampledPanels = 96;

    /// <summary>
    /// For each candidate k, the fraction of the given pairs whose head distance (with the tail) is within ε, and
    /// whose distance over the leading k coordinates alone is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double[] Within, double[] Leading) OfPairs(HeadSample x, IEnumerable<int> rows, HeadSample y,
        Func<int, IEnumerable<int>> columnsOf, double epsilon, double quantum, int[] ks)
    {
        var within = new long[ks.Length];
        var leading = new long[ks.Length];
        long pairs = 0;
        // The quantised heads' test is wider by a step per coordinate's worth (√m quanta over m coordinates).
        var withinBound = ks.Select(k => Square(epsilon + quantum * Math.Sqrt(k + 1))).ToArray();
        var leadingBound = ks.Select(k => Square(epsilon + quantum * Math.Sqrt(k))).ToArray();
        float[] hx = x.Heads, hy = y.Heads;
        foreach (int i in rows)
            foreach (int j in columnsOf(i))
            {
                pairs++;
                int xi = i * x.Width, yj = j * y.Width;
                float head = 0, px = 0, py = 0;
                for (int c = 0, from = 0; c < ks.Length; from = ks[c], c++)
                {
                    int t = from;
                    if (ks[c] - from >= 8)
                    {
                        var (vh, vx, vy) = (Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero);
                        for (; t <= ks[c] - 8; t += 8)
                        {
                            var a = Vector256.Create(hx.AsSpan(xi + t, 8));
                            var b = Vector256.Create(hy.AsSpan(yj + t, 8));
                            vh += (a - b) * (a - b);
                            vx += a * a;
                            vy += b * b;
                        }
                        head += Vector256.Sum(vh);
                        px += Vector256.Sum(vx);
                        py += Vector256.Sum(vy);
                    }
                    for (; t < ks[c]; t++)
                    {
                        float a = hx[xi + t], b = hy[yj + t];
                        head += (a - b) * (a - b);
                        px += a * a;
                        py += b * b;
                    }
                    double tail = Math.Sqrt(Math.Max(0, x.Norms[i] - px)) - Math.Sqrt(Math.Max(0, y.Norms[j] - py));
                    if (head + tail * tail <= withinBound[c]) within[c]++;
                    if (head <= leadingBound[c]) leading[c]++;
                }
            }
        return (Fractions(within, pairs), Fractions(leading, pairs));
    }

    /// <summary>
    /// The fraction of sampled tiles (micro-panel of <paramref name="height"/> rows × panel of 16 columns, in join
    /// order) with a pair whose k-head is within ε, and with a pair within ε over the leading k coordinates alone.
    /// Tiles are drawn at random (fixed seed) between 96 sampled micro-panels and 96 panels: heads of 96 micro-panels
    /// and 96 panels instead of one micro-panel and one panel per tile.
    /// </summary>
    public static (double[] Within, double[] Leading) OfTiles(HeadProjector projector, EmbeddingSet images,
        int[] rowOrder, EmbeddingSet texts, int[] columnOrder, int height, double epsilon, int[] ks,
        ExecutionScope scope)
    {
        int n = images.Count, m = texts.Count;
        int microPanels = (n + height - 1) / height, panels = (m + 15) / 16;
        var random = new Random(20261129);
        int tiles = (int)Math.Min(SampledTiles, (long)microPanels * panels);
        int[] Draw(int count) => Enumerable.Range(0, Math.Min(SampledPanels, count)).Select(_ => random.Next(count))
            .Distinct().Order().ToArray();
        var rows = Draw(microPanels);
        var columns = Draw(panels);
        var picks = Enumerable.Range(0, tiles)
            .Select(_ => (A: random.Next(rows.Length), B: random.Next(columns.Length))).ToArray();
        var rowIndex = rows.SelectMany(a => Enumerable.Range(a * height, Math.Min(height, n - a * height)))
            .Select(i => rowOrder[i]).ToArray();
        var columnIndex = columns.SelectMany(b => Enumerable.Range(b * 16, Math.Min(16, m - b * 16)))
            .Select(j => columnOrder[j]).ToArray();
        var x = HeadSample.Of(projector, images, rowIndex, scope);
        var y = HeadSample.Of(projector, texts, columnIndex, scope);
        var rowStart = new int[rows.Length + 1];
        for (int a = 0; a < rows.Length; a++) rowStart[a + 1] = rowStart[a] + Math.Min(height, n - rows[a] * height);
        var columnStart = new int[columns.Length + 1];
        for (int b = 0; b < columns.Length; b++)
            columnStart[b + 1] = columnStart[b] + Math.Min(16, m - columns[b] * 16);
        var survived = new long[ks.Length];
        var leading = new long[ks.Length];
        foreach (var (a, b) in picks)
        {
            scope.ThrowIfCancelled();
            var tileRows = Enumerable.Range(rowStart[a], rowStart[a + 1] - rowStart[a]);
            var tileColumns = Enumerable.Range(columnStart[b], columnStart[b + 1] - columnStart[b]).ToArray();
            var (within, lead) = OfPairs(x, tileRows, y, _ => tileColumns, epsilon, projector.Quantum, ks);
            for (int c = 0; c < ks.Length; c++)
            {
                if (within[c] > 0) survived[c]++;
                if (lead[c] > 0) leading[c]++;
            }
        }
        return (Fractions(survived, tiles), Fractions(leading, tiles));
    }

    private static double[] Fractions(long[] counts, long total) =>
        counts.Select(c => total == 0 ? 0 : (double)c / total).ToArray();

    private static double Square(double x) => x * x;
}
