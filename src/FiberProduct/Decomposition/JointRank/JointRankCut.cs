using FiberProduct.Numerics;

namespace FiberProduct.Decomposition;

/// <summary>
/// Where the joint rank was cut in the ordered alignment values, so that a cut on a continuum is visible. For
/// <see cref="SubspaceDecomposition.Estimate"/> the values are 1 + cos θ_k of the principal angles between the two
/// signal subspaces (the squared singular values of [V_I V_T] that AJIVE thresholds); for
/// <see cref="SubspaceDecomposition.EstimateByCca"/> the canonical correlations.
/// </summary>
/// <param name="Values">The alignment values, descending.</param>
/// <param name="Kept">The joint rank: how many of the values were kept.</param>
/// <param name="Threshold">The threshold applied (<see cref="JointRankBounds.Threshold"/>), or null when the rank was
/// given or CCA chose it.</param>
public sealed record JointRankCut(IReadOnlyList<double> Values, int Kept, double? Threshold)
{
    /// <summary>The smallest kept value, or NaN when none was kept.</summary>
    public double LastKept => Kept == 0 ? double.NaN : Values[Kept - 1];

    /// <summary>The largest value not kept, or NaN when all were kept.</summary>
    public double FirstDropped => Kept >= Values.Count ? double.NaN : Values[Kept];

    /// <summary>LastKept − FirstDropped: the gap the cut sits in (NaN at either end).</summary>
    public double Gap => LastKept - FirstDropped;

    /// <summary>The median of the gaps between consecutive values: the spacing of a continuum (NaN with fewer than 2
    /// values).</summary>
    public double MedianSpacing
    {
        get
        {
            if (Values.Count < 2) return double.NaN;
            var spacings = Enumerable.Range(0, Values.Count - 1).Select(k => Values[k] - Values[k + 1]).ToArray();
            return Quantiles.Median(spacings);
        }
    }

    /// <summary>
    /// Gap / MedianSpacing: about 1 (or below) when the cut falls inside a continuum of values, far above 1 when it
    /// separates a cluster of aligned directions from the rest. NaN when either is undefined; +∞ when
    /// the spacing is 0.
    /// </summary>
    public double RelativeGap => Gap / MedianSpacing;

    /// <summary>The cut of a decomposition: its alignment values, its joint rank and, for AJIVE, its
    /// threshold.</summary>
    /// <param name="decomposition">A decomposition from <see cref="SubspaceDecomposition.Estimate"/> or
    /// <see cref="SubspaceDecomposition.EstimateByCca"/>.</param>
    /// <returns>The values sorted descending (1 + cos θ_k in [1, 2], or canonical correlations in [0, 1]), Kept
    /// = dim Z_s.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="decomposition"/> is null.</exception>
    public static JointRankCut Of(SubspaceDecomposition decomposition)
    {
        ArgumentNullException.ThrowIfNull(decomposition);
        double[] values = decomposition.CanonicalCorrelations.Length > 0
            ? decomposition.CanonicalCorrelations.ToArray()
            : decomposition.PrincipalAngles.ToArray().Select(theta => 1 + Math.Cos(theta)).ToArray();
        Array.Sort(values, (a, b) => b.CompareTo(a));
        return new JointRankCut(values, decomposition.Shared.Rank, decomposition.Bounds?.Threshold);
    }
}
