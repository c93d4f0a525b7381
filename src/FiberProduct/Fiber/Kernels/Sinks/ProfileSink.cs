using FiberProduct.Fiber.Exact;

namespace FiberProduct.Fiber.Kernels;

/// <summary>
/// The ε-profile: for each candidate within the largest ε, the smallest tolerance index whose ε holds it, by a
/// binary search over the sorted tolerances. Each step is settled by the fast path's interval around the exact distance
/// (<see cref="JoinOperands.Classify"/>) or, when that tolerance falls inside it, exactly (<see cref="ExactCheck"/>).
/// </summary>
internal sealed class ProfileSink(JoinOperands op, ExactCheck exact, double[] sortedEpsilons, bool keepDistances)
    : ITileSink
{
    public readonly long[] FirstIndexCounts = new long[sortedEpsilons.Length];
    public readonly List<double> Distances = [];

    [System.Runtime.CompilerServices.MethodImpl(
        System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Candidates(int row, int column0, uint candidates, uint sure, ReadOnlySpan<float> dots)
    {
        while (candidates != 0)
        {
            int lane = RangeJoin.NextLane(ref candidates);
            int column = column0 + lane;
            int lo = 0, hi = sortedEpsilons.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                int side = op.Classify(row, column, dots[lane], sortedEpsilons[mid], exact);
                if (side > 0 || side == 0 && exact.Within(row, column, sortedEpsilons[mid]))
                    hi = mid; else lo = mid + 1;
            }
            if (lo == sortedEpsilons.Length) continue;
            FirstIndexCounts[lo]++;
            if (keepDistances)
            {
                // Brought into the interval the decisions prove, (ε_{k−1}, ε_k] for the first tolerance k that
                // holds the pair, so that counting the distances at any given tolerance gives its count.
                exact.Within(row, column, sortedEpsilons[lo], out double distance);
                if (lo > 0 && distance <= sortedEpsilons[lo - 1]) distance = Math.BitIncrement(sortedEpsilons[lo - 1]);
                Distances.Add(distance);
            }
        }
    }

    public bool RowsCompleted(int rowEnd) => true;
}
