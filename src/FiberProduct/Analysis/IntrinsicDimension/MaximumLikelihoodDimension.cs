using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber;
using FiberProduct.Numerics;

namespace FiberProduct.Analysis;

/// <summary>
/// The maximum-likelihood intrinsic dimension of Levina and Bickel (2005) with the averaging of MacKay and Ghahramani
/// (2005). Around each point x the k nearest neighbours are modelled as a Poisson process of constant density in an
/// m-dimensional ball; with T_j(x) the distance to the j-th neighbour, S_k(x) = Σ_{j&lt;k} log(T_k(x)/T_j(x)) has mean
/// (k − 1)/m, so u_k(x) = S_k(x)/(k − 1) estimates 1/m without bias. The estimate at k is the inverse of the mean
/// of the u_k(x) over the points (MacKay–Ghahramani: average the inverses, not the per-point estimates, whose mean is
/// biased upwards), and the reported dimension is the mean of these over k₁ ≤ k ≤ k₂ (Levina–Bickel).
/// </summary>
/// <remarks>
/// Biased low when the intrinsic dimension is high for the sample size (the neighbourhoods are then not small, and
/// curvature and boundaries enter): docs/theorems.md has the measured bias on cubes, spheres and swiss rolls.
/// </remarks>
public static class MaximumLikelihoodDimension
{
    /// <summary>Estimates the intrinsic dimension of a point set from exact nearest neighbours.</summary>
    /// <param name="points">The points (at least k₂ + 1, pairwise distinct).</param>
    /// <param name="k1">The smallest neighbour count (default 10), at least 2.</param>
    /// <param name="k2">The largest neighbour count (default 20), at least <paramref name="k1"/>.</param>
    /// <param name="coverage">The coverage of the bootstrap interval (default 0.95).</param>
    /// <param name="resamples">Bootstrap resamples of the points (default 1000).</param>
    /// <param name="seed">Seed of the resampling.</param>
    /// <param name="options">Options of the nearest-neighbour join (threads, result budget).</param>
    /// <param name="progress">Receives the fraction done: the joins, then the bootstrap.</param>
    /// <param name="cancellationToken">Cancels the join and the bootstrap.</param>
    /// <returns>The estimate, with <see cref="DimensionEstimate.IntervalCovers"/> saying what the interval
    /// covers.</returns>
    /// <exception cref="ArgumentOutOfRangeException">k₁ &lt; 2, k₂ &lt; k₁, k₂ not below the number of points,
    /// coverage outside (0, 1), or resamples below 1.</exception>
    /// <exception cref="InvalidOperationException">Two points coincide, so a log-distance ratio is
    /// undefined.</exception>
    /// <example>
    /// <code>
    /// var sphere = ManifoldSamples.Sphere(count: 2000, dimension: 4, ambient: 32, seed: 1); // S^4: k = 4
    /// var mle = MaximumLikelihoodDimension.Estimate(sphere, k1: 10, k2: 20, seed: 1);
    /// Console.WriteLine($"m = {mle.Dimension:F2} [{mle.Lower:F2}, {mle.Upper:F2}] ({mle.IntervalCovers})");
    /// </code>
    /// </example>
    public static DimensionEstimate Estimate(EmbeddingSet points, int k1 = 10, int k2 = 20, double coverage = 0.95,
        int resamples = 1000, int seed = 0, FiberProductOptions? options = null, IProgress<double>? progress =
        null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(points);
        var scope = new ExecutionScope(options?.MaxDegreeOfParallelism ?? -1, progress, cancellationToken);
        ArgumentOutOfRangeException.ThrowIfLessThan(k1, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(k2, k1);
        Resampling.CheckCoverage(coverage, nameof(coverage));
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        var neighbours = NeighbourDistances.Of(points, k2, options, nameof(k2), scope.Part(0, 0.8));
        NeighbourDistances.RequireDistinct(neighbours);
        int n = points.Count, ks = k2 - k1 + 1;

        // inverse[i, k − k1] = u_k(x_i), the per-point estimate of 1/m.
        var inverse = new double[n, ks];
        scope.For(0, n, i =>
        {
            var t = neighbours[i];
            double logSum = 0; // Σ_{j ≤ k−1} log T_j, grown with k
            for (int k = 2; k <= k2; k++)
            {
                logSum += Math.Log(t[k - 2]);
                if (k >= k1) inverse[i, k - k1] = ((k - 1) * Math.Log(t[k - 1]) - logSum) / (k - 1);
            }
        });

        var all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        double estimate = Combine(inverse, all, ks);
        var random = new Random(seed);
        var samples = new double[resamples];
        var draw = new int[n];
        // The resamples are drawn in order from one generator, so the interval does not depend on the thread count.
        var bootstrap = scope.Part(0.8, 1);
        for (int b = 0; b < resamples; b++)
        {
            bootstrap.ThrowIfCancelled();
            for (int i = 0; i < n; i++) draw[i] = random.Next(n);
            samples[b] = Combine(inverse, draw, ks);
            bootstrap.Report((b + 1.0) / resamples);
        }
        var (lower, upper) = Quantiles.CentralInterval(samples, coverage);
        return new DimensionEstimate(estimate, lower, upper, coverage, n, DimensionEstimate.BootstrapOverPoints);
    }

    /// <summary>The mean over k of 1 / mean_i u_k(x_i), over the points listed.</summary>
    private static double Combine(double[,] inverse, int[] rows, int ks)
    {
        double total = 0;
        for (int k = 0; k < ks; k++)
        {
            double sum = 0;
            foreach (int i in rows) sum += inverse[i, k];
            total += rows.Length / sum;
        }
        return total / ks;
    }
}
