using System.Runtime.CompilerServices;
using FiberProduct.Embedding;

namespace FiberProduct.Fiber.Pruning;

/// <summary>Deterministic samples of a set's rows: evenly spaced, so that the same data give the same plan.</summary>
internal static class EvenSample
{
    /// <summary>
    /// Up to <paramref name="size"/> evenly spaced indices below <paramref name="count"/>, increasing; shifted by half
    /// a step when <paramref name="shift"/> (other rows than the unshifted sample: estimates should not reuse the rows
    /// the axes were fitted to).
    /// </summary>
    public static int[] Rows(int count, int size, bool shift)
    {
        int n = Math.Min(count, size);
        double step = (double)count / n, offset = shift ? step / 2 : 0;
        return Enumerable.Range(0, n).Select(i => Math.Min(count - 1, (int)(i * step + offset))).ToArray();
    }

    /// <summary>The mean of the given rows (float64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double[] Mean(EmbeddingSet set, int[] rows)
    {
        var mean = new double[set.Dimension];
        foreach (int r in rows)
        {
            var row = set.Row(r);
            for (int c = 0; c < mean.Length; c++) mean[c] += row[c];
        }
        for (int c = 0; c < mean.Length; c++) mean[c] /= rows.Length;
        return mean;
    }
}
