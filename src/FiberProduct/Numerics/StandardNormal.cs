namespace FiberProduct.Numerics;

/// <summary>Standard normal deviates for every seeded sampler of the library, written once.</summary>
/// <remarks>
/// Box–Muller's cosine branch, one deviate from two uniforms. MathNet's <c>Normal.Sample</c> would serve as well, but
/// it draws from the generator in another pattern: every seeded result (random-direction and Wedin bounds, JL
/// projections, uniform sphere draws) is defined by this sequence, so the sampler stays as it was.
/// </remarks>
internal static class StandardNormal
{
    /// <summary>One N(0, 1) deviate; 1 − U keeps the logarithm finite (U ∈ [0, 1) from
    /// <see cref="Random.NextDouble"/>).</summary>
    public static double Sample(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
