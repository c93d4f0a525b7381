using FiberProduct.Execution;
using FiberProduct.Numerics;

namespace FiberProduct.Decomposition;

/// <summary>
/// AJIVE's random-direction bound: the given percentile of the largest 1 + cos θ between a uniformly random
/// r_I-dimensional and a uniformly random r_T-dimensional subspace of R^d (seeded). A direction more aligned than that
/// is not chance.
/// </summary>
internal static class RandomDirectionBound
{
    /// <summary>The bound on 1 + cos θ (2 when either rank is 0: nothing can be joint).</summary>
    public static double Of(int d, int ri, int rt, DecompositionOptions options, ExecutionScope scope)
    {
        if (ri == 0 || rt == 0) return 2;
        // By rotational invariance one subspace can be fixed to the first r_I coordinate axes. Each sample has its own
        // seeded generator, so the bound does not depend on how samples are spread over threads.
        var samples = new double[options.RandomDirectionSamples];
        scope.For(0, samples.Length, s =>
        {
            var random = new Random(unchecked(options.Seed * 1_000_003 + s));
            double largest = RandomFrames.LargestSquaredCosine(random, d, ri, rt);
            // a squared cosine; rounding can leave it a hair outside [0, 1]
            samples[s] = 1 + Math.Sqrt(Math.Clamp(largest, 0, 1));
        }, reportEvery: 1);
        return Quantiles.Percentile(samples, options.Percentile);
    }
}
