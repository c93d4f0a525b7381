namespace FiberProduct.Fiber.Kernels;

/// <summary>
/// The result budget of a strict query: the workers share one count, and the whole query fails as soon as the pairs
/// found exceed it (truncating queries run in bands instead, see ApproximateFiberProduct.CollectTruncated).
/// </summary>
internal sealed class PairBudget(long maxPairs)
{
    private long total;

    public long MaxPairs => maxPairs;

    public void Add(int found)
    {
        if (Interlocked.Add(ref total, found) > maxPairs) throw new ResultBudgetExceededException(maxPairs);
    }
}
