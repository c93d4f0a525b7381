using System.Numerics;
using FiberProduct.Fiber.Exact;

namespace FiberProduct.Fiber.Kernels;

/// <summary>
/// The degrees of F_ε as a bipartite graph: pairs per join row and per join column, counted like
/// <see cref="CountSink"/> (sure lanes by mask, the rest of the candidates by the reference), no pair stored. Each
/// worker keeps its own column counts; rows are a worker's own, so their counts go to a shared array.
/// </summary>
internal sealed class DegreeSink(ExactCheck exact, Func<int, double> epsilonOfRow, int[] rowDegrees, int columns)
    : ITileSink
{
    public int[] ColumnDegrees { get; } = new int[columns];

    [System.Runtime.CompilerServices.MethodImpl(
        System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Candidates(int row, int column0, uint candidates, uint sure, ReadOnlySpan<float> dots)
    {
        uint band = candidates & ~sure;
        uint within = sure;
        if (band != 0)
        {
            double epsilon = epsilonOfRow(row);
            while (band != 0)
            {
                int lane = RangeJoin.NextLane(ref band);
                if (exact.Within(row, column0 + lane, epsilon)) within |= 1u << lane;
            }
        }
        rowDegrees[row] += BitOperations.PopCount(within);
        while (within != 0) ColumnDegrees[column0 + RangeJoin.NextLane(ref within)]++;
    }

    public bool RowsCompleted(int rowEnd) => true;
}
