using FiberProduct.Embedding;

namespace FiberProduct.Fiber.Kernels;

/// <summary>
/// The float64 reference distances that results report, from the stored values with every sum over coordinates taken
/// in the order of <see cref="ReferenceSums"/>. Membership in F_ε is not decided by these values but exactly
/// (<see cref="Exact.ExactCheck"/>); they are within its stated bound of the exact distances.
/// </summary>
internal static class ReferenceDistance
{
    public static double Euclidean(ReadOnlySpan<float> x, ReadOnlySpan<float> y) =>
        Math.Sqrt(ReferenceSums.SquaredEuclidean(x, y));

    /// <summary>⟨x, y⟩ / (‖x‖‖y‖) in float64, the norms given as squared norms.</summary>
    public static double CosineSimilarity(ReadOnlySpan<float> x, ReadOnlySpan<float> y, double xSquaredNorm,
        double ySquaredNorm) =>
        ReferenceSums.Dot(x, y) / (Math.Sqrt(xSquaredNorm) * Math.Sqrt(ySquaredNorm));

    public static double Distance(FiberMetric metric, ReadOnlySpan<float> x, ReadOnlySpan<float> y, double xSquaredNorm,
        double ySquaredNorm) =>
        metric == FiberMetric.Euclidean ? Euclidean(x, y)
            : FromCosine(metric, CosineSimilarity(x, y, xSquaredNorm, ySquaredNorm));

    /// <summary>The reference distance of row i of one set and row j of another, in either precision (mixed ones
    /// widened).</summary>
    public static double Distance(FiberMetric metric, EmbeddingSet rows, int i, EmbeddingSet columns, int j)
    {
        if (rows.Precision == EmbeddingPrecision.Float32 && columns.Precision == EmbeddingPrecision.Float32)
            return Distance(metric, rows.Row(i), columns.Row(j), rows.SquaredNorm(i), columns.SquaredNorm(j));
        var (x, y) = (rows.RowAsDouble(i), columns.RowAsDouble(j));
        return metric == FiberMetric.Euclidean ? Math.Sqrt(ReferenceSums.SquaredEuclidean(x, y))
            : FromCosine(metric, ReferenceSums.Dot(x, y)
                / (Math.Sqrt(ReferenceSums.Dot(x, x)) * Math.Sqrt(ReferenceSums.Dot(y, y))));
    }

    // Rounding can push the cosine of (anti)parallel vectors a few ulps past ±1; the exact cosine lies in [−1, 1]
    // (Cauchy–Schwarz), so it is brought back there: cosine distances stay in [0, 2], angles in [0, π].
    private static double FromCosine(FiberMetric metric, double cosine) => metric == FiberMetric.Cosine
        ? 1 - Math.Clamp(cosine, -1.0, 1.0)
        : Math.Acos(Math.Clamp(cosine, -1.0, 1.0));
}
