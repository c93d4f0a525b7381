using FiberProduct.Embedding;

namespace FiberProduct.Fiber.Kernels;

/// <summary>
/// The float64 reference every result is defined by: distances from the float32 inputs widened to float64, with
/// every sum over coordinates taken in the order of <see cref="ReferenceSums"/>. The fast path decides only the
/// pairs it can prove lie on one side of ε; every other pair is decided here, so the pair sets equal this float64
/// brute force exactly, and reported distances are these values.
/// </summary>
internal static class ReferenceDistance
{
    public static double Euclidean(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => Math.Sqrt(ReferenceSums.SquaredEuclidean(x, y));

    /// <summary>⟨x, y⟩ / (‖x‖‖y‖) in float64, the norms given as squared norms.</summary>
    public static double CosineSimilarity(ReadOnlySpan<float> x, ReadOnlySpan<float> y, double xSquaredNorm, double ySquaredNorm) =>
        ReferenceSums.Dot(x, y) / (Math.Sqrt(xSquaredNorm) * Math.Sqrt(ySquaredNorm));

    public static double Distance(FiberMetric metric, ReadOnlySpan<float> x, ReadOnlySpan<float> y, double xSquaredNorm, double ySquaredNorm) =>
        metric == FiberMetric.Euclidean ? Euclidean(x, y) : FromCosine(metric, CosineSimilarity(x, y, xSquaredNorm, ySquaredNorm));

    private static double FromCosine(FiberMetric metric, double cosine) => metric == FiberMetric.Cosine
        ? 1 - cosine
        // Rounding can push the cosine of (anti)parallel vectors a few ulps past ±1, outside the domain of arccos;
        // the angle there is 0 (or π) within that rounding, so the cosine is taken at the boundary.
        : Math.Acos(Math.Clamp(cosine, -1.0, 1.0));
}
