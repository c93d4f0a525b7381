namespace FiberProduct.Analysis;

/// <summary>An intrinsic-dimension estimate with an interval that says what it covers.</summary>
/// <param name="Dimension">The estimate.</param>
/// <param name="Lower">The lower end of the interval.</param>
/// <param name="Upper">The upper end of the interval.</param>
/// <param name="Coverage">The nominal coverage of the interval (for instance 0.95).</param>
/// <param name="Points">The number of points the estimate used.</param>
/// <param name="IntervalCovers">
/// What the interval accounts for. Every interval of this library resamples the points with their neighbour
/// distances held fixed: it covers the sampling noise of the per-point statistics, not the estimator's bias, which on
/// manifolds of high intrinsic dimension is far larger (docs/theorems.md, T6, has the table).
/// </param>
public sealed record DimensionEstimate(double Dimension, double Lower, double Upper, double Coverage, int Points,
    string IntervalCovers)
{
    internal const string BootstrapOverPoints =
        "bootstrap percentile interval over the points, their neighbour distances held fixed: sampling noise of the " +
        "per-point statistics only, not the estimator's bias and not the dependence between neighbouring points";

    /// <summary>The estimate and its interval in one line; the interval's meaning in full is
    /// <see cref="IntervalCovers"/>.</summary>
    /// <returns>For instance "15.3 [14.9, 15.7] (95 %, 500 points; interval: sampling noise, not bias)".</returns>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Dimension:F1} [{Lower:F1}, {Upper:F1}] ({Coverage:P0}, {Points} points; interval: "
        + $"sampling noise, not bias)");
}
