using System.Runtime.CompilerServices;
using FiberProduct.Execution;
using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Fiber.Pruning;

/// <summary>
/// A k-d tree order of points: each node splits its points at a multiple of the leaf size along the widest of the
/// leading coordinates, so that every leaf (a micro-panel of rows or a panel of 16 texts) holds nearby points and its
/// tiles are small in head space. Only which side each point falls on matters, not a sort: the result is a
/// permutation, deterministic for given points.
/// </summary>
internal static class KdOrder
{
    /// <summary>How many leading coordinates a split may choose from.</summary>
    public const int SplitCoordinates = 16;

    /// <summary>
    /// The order of <paramref name="n"/> points (rows of <paramref name="width"/> coordinates) with leaves of exactly
    /// <paramref name="leaf"/> points (the last may be short), split on the widest of the first 16 coordinates.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int[] Of(float[] points, int n, int width, int leaf, ExecutionScope scope)
    {
        var order = Enumerable.Range(0, n).ToArray();
        var keys = new float[n];
        int dims = Math.Min(SplitCoordinates, width);
        var stack = new Stack<(int Lo, int Hi)>();
        stack.Push((0, n));
        while (stack.Count > 0)
        {
            var (lo, hi) = stack.Pop();
            if (hi - lo <= leaf) continue;
            scope.ThrowIfCancelled();
            int best = 0;
            double widest = -1;
            for (int c = 0; c < dims; c++)
            {
                double sum = 0, squares = 0;
                for (int p = lo; p < hi; p++)
                {
                    double v = points[order[p] * width + c];
                    sum += v;
                    squares += v * v;
                }
                double variance = squares - sum * sum / (hi - lo);
                if (variance > widest) (best, widest) = (c, variance);
            }
            for (int p = lo; p < hi; p++) keys[p] = points[order[p] * width + best];
            int half = (hi - lo) / 2;
            int mid = lo + Math.Max(1, (half + leaf / 2) / leaf) * leaf;
            if (mid < hi) Select(keys, order, lo, hi, mid);
            stack.Push((lo, Math.Min(mid, hi)));
            stack.Push((Math.Min(mid, hi), hi));
        }
        return order;
    }

    /// <summary>
    /// Rearranges keys[lo..hi) (and order alongside) so that the <c>mid − lo</c> smallest come first (Hoare
    /// partitions around a median of three: deterministic, and equal keys split evenly).
    /// </summary>
    private static void Select(float[] keys, int[] order, int lo, int hi, int mid)
    {
        int left = lo, right = hi - 1;
        while (right > left)
        {
            var (i, j) = HoarePartition.Around(keys, order, left, right);
            // [left, j] ≤ pivot ≤ [i, right]: continue in the part that holds position mid (the boundary).
            if (mid <= j) right = j;
            else if (mid >= i) left = i;
            else return;
        }
    }
}
