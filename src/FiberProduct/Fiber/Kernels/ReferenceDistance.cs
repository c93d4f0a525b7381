namespace FiberProduct.Fiber.Kernels;

/// <summary>
/// The float64 reference every result is defined by: the float32 inputs widened to float64, differences and
/// products accumulated in index order, one square root. The fast path decides only the pairs it can prove
/// to lie on one side of ε; every other pair is decided here, so the pair sets equal float64 brute force.
/// </summary>
internal static class ReferenceDistance
{
    public static double Euclidean(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double sum = 0;
        for (int k = 0; k < x.Length; k++)
        {
            double diff = (double)x[k] - y[k];
            sum += diff * diff;
        }
        return Math.Sqrt(sum);
    }

    /// <summary>⟨x, y⟩ / (‖x‖‖y‖) in float64.</summary>
    public static double CosineSimilarity(ReadOnlySpan<float> x, ReadOnlySpan<float> y, double xSquaredNorm, double ySquaredNorm)
    {
        double dot = 0;
        for (int k = 0; k < x.Length; k++) dot += (double)x[k] * y[k];
        return dot / (Math.Sqrt(xSquaredNorm) * Math.Sqrt(ySquaredNorm));
    }

    public static double Distance(FiberMetric metric, ReadOnlySpan<float> x, ReadOnlySpan<float> y, double xSquaredNorm, double ySquaredNorm) => metric switch
    {
        FiberMetric.Euclidean => Euclidean(x, y),
        FiberMetric.Cosine => 1 - CosineSimilarity(x, y, xSquaredNorm, ySquaredNorm),
        // Rounding can push the cosine of (anti)parallel vectors a few ulps past ±1, outside the domain of arccos;
        // the angle there is 0 (or π) within that rounding, so the cosine is taken at the boundary.
        _ => Math.Acos(Math.Clamp(CosineSimilarity(x, y, xSquaredNorm, ySquaredNorm), -1.0, 1.0)),
    };
}
