using System.Numerics;
using FiberProduct.Fiber.Exact;

namespace FiberProduct.Fiber.Kernels;

/// <summary>|F_ε|: sure pairs are counted by popcount, the rest of the candidates by the reference.</summary>
internal sealed class CountSink(ExactCheck exact, Func<int, double> epsilonOfRow) : ITileSink
{
    public long Count;

    [System.Runtime.CompilerServices.MethodImpl(
        System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Candidates(int row, int column0, uint candidates, uint sure, ReadOnlySpan<float> dots)
    {
        Count += BitOperations.PopCount(sure);
        uint band = candidates & ~sure;
        if (band == 0) return;
        double epsilon = epsilonOfRow(row);
        while (band != 0)
        {
            int lane = RangeJoin.NextLane(ref band);
            if (exact.Within(row, column0 + lane, epsilon)) Count++;
        }
    }

    public bool RowsCompleted(int rowEnd) => true;
}
