namespace FiberProduct.Analysis;

/// <summary>Which values of a statistic count as evidence against the null.</summary>
public enum NullTail
{
    /// <summary>Large values (recall, F1, true pairs within ε, a shared rank, a gap).</summary>
    Upper,

    /// <summary>Small values (a median rank, a mean true-pair distance).</summary>
    Lower,
}
