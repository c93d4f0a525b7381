using FiberProduct.Fiber.Exact;

namespace FiberProduct.Fiber.Kernels;

/// <summary>
/// The pairs of F_ε with their float64 distances, gathered per worker. A chunk of rows arrives ordered by text
/// block, then row, then text; when the chunk completes it is regrouped by row, so the buffer ends up in (row,
/// text) order. With <paramref name="keepPerRow"/> &gt; 0 only each row's nearest pairs survive the regrouping.
/// A shared count enforces the result budget.
/// </summary>
internal sealed class PairSink(ExactCheck exact, Func<int, double> epsilonOfRow, PairBudget budget, int keepPerRow = 0,
    int[]? columnKey = null) : ITileSink
{
    public readonly PairBuffer Buffer = new();
    private int sinceReport, chunkStart;

    [System.Runtime.CompilerServices.MethodImpl(
        System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Candidates(int row, int column0, uint candidates, uint sure, ReadOnlySpan<float> dots)
    {
        double epsilon = epsilonOfRow(row);
        Span<int> columns = stackalloc int[JoinOperands.PanelWidth];
        Span<double> distances = stackalloc double[JoinOperands.PanelWidth];
        int count = exact.Within(row, column0, candidates, epsilon, columns, distances);
        for (int c = 0; c < count; c++)
        {
            Buffer.Add(row, columns[c], distances[c]);
            if (keepPerRow == 0 && ++sinceReport == 4096) { budget.Add(sinceReport); sinceReport = 0; }
        }
    }

    public bool RowsCompleted(int rowEnd)
    {
        int kept = Buffer.RegroupTail(chunkStart, keepPerRow, columnKey);
        if (keepPerRow > 0) sinceReport = kept;
        budget.Add(sinceReport);
        sinceReport = 0;
        chunkStart = Buffer.Count;
        return true;
    }
}
