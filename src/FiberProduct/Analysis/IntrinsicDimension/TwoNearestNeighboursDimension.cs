using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber;
using FiberProduct.Numerics;

namespace FiberProduct.Analysis;

/// <summary>
/// TwoNN (Facco, d'Errico, Rodriguez and Laio 2017): the ratio μ = T₂/T₁ of each point's second to first
/// nearest-neighbour distance follows the Pareto law F(μ) = 1 − μ^{−m} on a manifold of dimension m where the
/// density is locally constant, so −log(1 − F(μ)) = m·log μ. The estimate is the slope of that line through the
/// origin, fitted by least squares to the empirical distribution of the ratios after discarding the largest fraction of
/// them (the paper discards 10 %: the tail is where noise and curvature act).
/// </summary>
/// <remarks>Uses only the two nearest neighbours, so it reaches smaller scales than the other estimators; it is biased
/// low at high dimension for the sample size all the same (docs/theorems.md has the measured bias).</remarks>
public static class TwoNearestNeighboursDimension
{
    /// <summary>Estimates the intrinsic dimension of a point set from exact nearest neighbours.</summary>
    /// <param name="points">The points (at least 3, pairwise distinct).</param>
    /// <param name="discardFraction">The fraction of the largest ratios left out of the fit, in [0, 1) (default 0.1).
    /// The largest ratio is always left out: its empirical distribution value is 1, where −log(1 − F) is
    /// infinite.</param>
    /// <param name="coverage">The coverage of the bootstrap interval (default 0.95).</param>
    /// <param name="resamples">Bootstrap resamples of the points (default 1000).</param>
    /// <param name="seed">Seed of the resampling.</param>
    /// <param name="options">Options of the nearest-neighbour join (threads, result budget).</param>
    /// <param name="progress">Receives the fraction done: the joins, then the bootstrap.</param>
    /// <param name="cancellationToken">Cancels the join and the bootstrap.</param>
    /// <returns>The estimate, with <see cref="DimensionEstimate.IntervalCovers"/> saying what the interval
    /// covers.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 3 points, the fraction outside [0, 1) or leaving no
    /// ratio to fit, coverage outside (0, 1), or resamples below 1.</exception>
    /// <exception cref="InvalidOperationException">Two points coincide (T₁ = 0), or every kept ratio is 1, so no
    /// slope exists.</exception>
    /// <example>
    /// <code>
    /// var roll = ManifoldSamples.SwissRoll(count: 2000, dimension: 2, ambient: 16, seed: 1); // k = 2
    /// var twoNn = TwoNearestNeighboursDimension.Estimate(roll, discardFraction: 0.1, seed: 1);
    /// Console.WriteLine($"m = {twoNn.Dimension:F2} [{twoNn.Lower:F2}, {twoNn.Upper:F2}] from {twoNn.Points} points");
    /// </code>
    /// </example>
    public static DimensionEstimate Estimate(EmbeddingSet points, double discardFraction = 0.1, double coverage = 0.95,
        int resamples = 1000, int seed = 0, FiberProductOptions? options = null, IProgress<double>? progress =
        null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(points);
        var scope = new ExecutionScope(options?.MaxDegreeOfParallelism ?? -1, progress, cancellationToken);
        ArgumentOutOfRangeException.ThrowIfLessThan(points.Count, 3, nameof(points) + ".Count");
        if (!(discardFraction >= 0 && discardFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(discardFraction), discardFraction,
                "Expected a fraction in [0, 1).");
        int n = points.Count;
        if (Kept(n, discardFraction) < 1)
            throw new ArgumentOutOfRangeException(nameof(discardFraction), discardFraction,
                Resampling.Invariant($"Discarding this fraction of {n} ratios leaves none to fit."));
        Resampling.CheckCoverage(coverage, nameof(coverage));
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        var neighbours = NeighbourDistances.Of(points, 2, options, nameof(points), scope.Part(0, 0.8));
        NeighbourDistances.RequireDistinct(neighbours);
        var logRatios = new double[n];
        for (int i = 0; i < n; i++) logRatios[i] = Math.Log(neighbours[i][1] / neighbours[i][0]);

        double estimate = Fit((double[])logRatios.Clone(), discardFraction);
        var random = new Random(seed);
        var samples = new double[resamples];
        var draw = new double[n];
        // The resamples are drawn in order from one generator, so the interval does not depend on the thread count.
        var bootstrap = scope.Part(0.8, 1);
        for (int b = 0; b < resamples; b++)
        {
            bootstrap.ThrowIfCancelled();
            for (int i = 0; i < n; i++) draw[i] = logRatios[random.Next(n)];
            samples[b] = Fit(draw, discardFraction);
            bootstrap.Report((b + 1.0) / resamples);
        }
        var (lower, upper) = Quantiles.CentralInterval(samples, coverage);
        return new DimensionEstimate(estimate, lower, upper, coverage, n, DimensionEstimate.BootstrapOverPoints);
    }

    /// <summary>The number of smallest ratios fitted: ⌊(1 − f)·N⌋, but at most N − 1.</summary>
    private static int Kept(int n, double discardFraction) =>
        Math.Min(n - 1, (int)Math.Floor((1 - discardFraction) * n));

    /// <summary>The least-squares slope through the origin of −log(1 − i/N) on log μ_(i), i = 1 … kept (sorts in
    /// place).</summary>
    private static double Fit(double[] logRatios, double discardFraction)
    {
        Array.Sort(logRatios);
        int n = logRatios.Length, kept = Kept(n, discardFraction);
        double xy = 0, xx = 0;
        for (int i = 0; i < kept; i++)
        {
            double x = logRatios[i], y = -Math.Log(1 - (i + 1.0) / n);
            xy += x * y;
            xx += x * x;
        }
        if (xx == 0)
            throw new InvalidOperationException(
                "Every fitted ratio T₂/T₁ is 1 (equidistant neighbours); the slope is undefined.");
        return xy / xx;
    }
}
