using System.Runtime.CompilerServices;
using FiberProduct.Execution;
using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Fiber.Pruning;

/// <summary>
/// The cluster bound of every tile: for micro-panel a and panel b a lower bound of ‖c_a − c_b‖ − r_a − r_b
/// (in quanta, float32 rounded down), c the centre of a group's quantised heads (their mean rounded to float32) and r
/// the largest distance of the group's heads to it (float64, rounded up by 10^-12 and 10^-6 quanta). By the triangle
/// inequality no pair of the tile has heads closer than that, so a tile whose gap exceeds its rows' reach is skipped
/// before any head is multiplied. The distance between the centres comes from the float32 tile kernel as ‖c_a‖²
/// + ‖c_b‖² − 2 c_a·c_b, less the dot product's error bound 2γ‖c_a‖‖c_b‖ (γ = γ_{S+2}, S
/// values a head).
/// </summary>
internal static class ClusterBound
{
    /// <summary>Gap matrices above this many tiles are not built (the memory grows as N·M).</summary>
    public const long MaxTiles = 1L << 25;

    /// <summary>
    /// The heads with the gaps of every tile for micro-panels of <paramref name="height"/> rows (unchanged when too
    /// many).
    /// </summary>
    public static QuantizedHeads With(QuantizedHeads heads, int rows, int columns, int height, ExecutionScope scope) =>
        heads with
        {
            Gaps = Gaps(heads.X, rows, height, heads.PackedY, columns, heads.Stride, scope), GapHeight = height,
        };

    /// <summary>The gaps, micro-panel-major (null when there would be more than 2^25 tiles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[]? Gaps(short[] x, int n, int height, short[] packedY, int m, int stride, ExecutionScope scope)
    {
        int groupsX = (n + height - 1) / height, groupsY = (m + 15) / 16;
        if ((long)groupsX * groupsY > MaxTiles) return null;
        float[] centresX = [], centresY = [];
        double[] radiiX = [], radiiY = [], normsX = [], normsY = [];
        scope.Invoke(() => (centresX, radiiX, normsX) = Centres(x, n, height, stride, packed: false),
            () => (centresY, radiiY, normsY) = Centres(packedY, m, 16, stride, packed: true));
        double unit = Math.ScaleB(1, -24), gamma = (stride + 2) * unit / (1 - (stride + 2) * unit);
        var gaps = LargeArrays.AllocateUninitialized<float>((long)groupsX * groupsY);
        var packedCentres = JoinOperands.Pack(centresY, groupsY, stride, DenseRows.Panels(groupsY));
        RangeJoin.Products(centresX, groupsX, stride, packedCentres, groupsY, null,
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (a0, count, dots) =>
            {
                for (int a = a0; a < a0 + count; a++)
                    for (int b = 0; b < groupsY; b++)
                    {
                        double dot = dots[(a - a0) * groupsY + b], error = 2 * gamma * Math.Sqrt(normsX[a] * normsY[b]);
                        double squared = (normsX[a] + normsY[b] - 2 * dot - error) - 1e-12 * (normsX[a] + normsY[b]);
                        double gap = Math.Sqrt(Math.Max(0, squared)) * (1 - 1e-12) - radiiX[a] - radiiY[b];
                        gaps[(long)a * groupsY + b] = JoinOperands.DownToSingle(gap);
                    }
            }, scope);
        return gaps;
    }

    /// <summary>
    /// The centre (mean, rounded to float32; rows of <paramref name="stride"/>) of each group of <paramref
    /// name="group"/> consecutive quantised heads (the last may be short), the largest distance of the group's heads to
    /// it (rounded up past the float64 rounding), and the centre's squared norm (float64).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (float[] Centres, double[] Radii, double[] Norms) Centres(short[] values, int count, int group,
        int stride, bool packed)
    {
        int groups = (count + group - 1) / group;
        var centres = new float[groups * stride];
        var radii = new double[groups];
        var norms = new double[groups];
        var sum = new long[stride];
        for (int g = 0; g < groups; g++)
        {
            int first = g * group, end = Math.Min(count, first + group);
            Array.Clear(sum);
            for (int i = first; i < end; i++)
                for (int c = 0; c < stride; c++) sum[c] += Value(i, c);
            var centre = centres.AsSpan(g * stride, stride);
            for (int c = 0; c < stride; c++)
            {
                centre[c] = (float)((double)sum[c] / (end - first));
                norms[g] += (double)centre[c] * centre[c];
            }
            double radius = 0;
            for (int i = first; i < end; i++)
            {
                double squared = 0;
                for (int c = 0; c < stride; c++)
                {
                    double v = Value(i, c) - (double)centre[c];
                    squared += v * v;
                }
                radius = Math.Max(radius, Math.Sqrt(squared));
            }
            radii[g] = radius * (1 + 1e-12) + 1e-6;
        }
        return (centres, radii, norms);

        short Value(int i, int c) => values[packed ? QuantizedHeads.PackedIndex(i, c, stride) : i * stride + c];
    }
}
