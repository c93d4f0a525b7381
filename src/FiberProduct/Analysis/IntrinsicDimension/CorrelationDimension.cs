using FiberProduct.Decomposition;
using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber;
using FiberProduct.Numerics;

namespace FiberProduct.Analysis;

/// <summary>
/// Statement T6: at small ε, |F_ε| ≈ C·ε^ν, ν the correlation dimension (Grassberger and Procaccia 1983): the
/// log–log slope of the correlation integral C(r), the number of pairs within r, between two radii r₁ &lt; r₂. Of
/// the cross-modal distances of a fiber product (images against texts), or of one point set (its distinct pairs, each
/// counted twice).
/// </summary>
/// <remarks>
/// <para>ν is a dimension only where C(r) follows a power law, that is at radii small against the curvature and the
/// extent of the data; at radii where most of the pairs lie (as on CLIP's unit sphere near √2) it measures how fast
/// the distance distribution rises there, not a dimension: uniform points of S^511 give ν ≈ 95 at the radii CLIP's
/// pairs set. Even on flat manifolds it is biased low once the intrinsic dimension is high for the sample size (a
/// 20-dimensional cube gives about 13 from 2,000 points): docs/theorems.md, T6, has the measured bias.</para>
/// <para>The interval is a bootstrap over the rows with the radii held fixed (<see cref="IntervalCovers"/>).</para>
/// </remarks>
/// <param name="Dimension">The estimate ν: the least-squares slope of log C(r) on log r at the radii used.</param>
/// <param name="Lower">The lower end of the bootstrap percentile interval.</param>
/// <param name="Upper">The upper end of the bootstrap percentile interval.</param>
/// <param name="SmallRadius">r₁.</param>
/// <param name="LargeRadius">r₂.</param>
public sealed record CorrelationDimension(double Dimension, double Lower, double Upper,
    double SmallRadius, double LargeRadius)
{
    /// <summary>What the interval accounts for: the resampling noise of the per-row counts, not the bias.</summary>
    public static string IntervalCovers =>
        "bootstrap percentile interval over the rows (images, or points), radii held fixed: sampling noise of the " +
        "per-row pair counts only, not the estimator's bias and not the choice of radii";

    /// <summary>The estimate, its interval and the radii in one line.</summary>
    /// <returns>For instance "ν = 45.21 [44.10, 46.30] at r = 1.129 … 1.219".</returns>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"ν = {Dimension:F2} [{Lower:F2}, {Upper:F2}] at r = {SmallRadius:G4} … {LargeRadius:G4} (interval: "
        + $"sampling noise of the counts, not bias)");

    /// <summary>
    /// Estimates ν for a fiber product between radii read off nearest-neighbour distances (as scikit-dimension's
    /// CorrInt does): r₁ and r₂ are the medians of each image's k₁-th and k₂-th nearest text distance.
    /// </summary>
    /// <param name="product">The fiber product whose cross-modal distances are read.</param>
    /// <param name="k1">The nearest-neighbour rank that sets r₁ (default 10).</param>
    /// <param name="k2">The nearest-neighbour rank that sets r₂ (default 20), above <paramref name="k1"/>.</param>
    /// <param name="confidence">The coverage of the bootstrap interval (default 0.95).</param>
    /// <param name="resamples">Bootstrap resamples of the images (default 1000).</param>
    /// <param name="seed">Seed of the resampling.</param>
    /// <param name="progress">Receives the fraction done: the joins (on the product's threads), then the
    /// bootstrap.</param>
    /// <param name="cancellationToken">Cancels the joins and the bootstrap.</param>
    /// <returns>
    /// ν (dimensionless, ≥ 0) with its bootstrap percentile interval at <paramref name="confidence"/> and the radii
    /// used, in the product's metric's units. The interval covers the resampling noise of the per-row counts only
    /// (<see cref="IntervalCovers"/>), not the bias. Cost: one k₂-nearest join (ε = ∞) and one ε-join at r₂.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">The ranks are not 1 ≤ k₁ &lt; k₂ ≤ number of texts, or
    /// another argument is out of range.</exception>
    /// <exception cref="InvalidOperationException">The two radii coincide or a count is zero, so no slope
    /// exists.</exception>
    /// <example>
    /// <code>
    /// var product = new ApproximateFiberProduct(images, texts);
    /// var nu = CorrelationDimension.Estimate(product, k1: 10, k2: 20, seed: 1);
    /// double sphere = SphereDistances.CorrelationDimension(images.Dimension, nu.SmallRadius, nu.LargeRadius);
    /// Console.WriteLine($"ν = {nu.Dimension:F1} [{nu.Lower:F1}, {nu.Upper:F1}], uniform sphere {sphere:F1}");
    /// </code>
    /// </example>
    public static CorrelationDimension Estimate(ApproximateFiberProduct product, int k1 = 10, int k2 = 20,
        double confidence = 0.95, int resamples = 1000, int seed = 0, IProgress<double>? progress =
        null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(product);
        var scope = new ExecutionScope(product.Options.MaxDegreeOfParallelism, progress, cancellationToken);
        CheckRanks(k1, k2, product.Texts.Count, "the number of texts");
        CheckBootstrap(confidence, resamples);
        if (product.Images.Count == 0) throw new InvalidOperationException("There are no images.");

        // The k-th nearest text of every image, exactly: the k2 nearest within ε = ∞.
        var nearest = product.NearestWithin(double.PositiveInfinity, k2,
            ScopeProgress.Of(scope.Part(0, 0.4)), scope.Token);
        var kth1 = new double[product.Images.Count];
        var kth2 = new double[product.Images.Count];
        scope.For(0, kth1.Length, i =>
        {
            var distances = nearest.DistancesOfRow(i).ToArray();
            Array.Sort(distances);
            kth1[i] = distances[k1 - 1];
            kth2[i] = distances[k2 - 1];
        });
        var (r1, r2) = MedianRadii(kth1, kth2);
        return FromPairs(product, r2, [r1, r2], excludeSelf: false, confidence, resamples, seed, scope.Part(0.4, 1));
    }

    /// <summary>
    /// Estimates ν for a fiber product over a radius range the caller chooses: the least-squares slope of log |F_r| on
    /// log r at <paramref name="radii"/> log-spaced radii from r₁ to r₂ (two radii: the two-point slope).
    /// </summary>
    /// <param name="product">The fiber product whose cross-modal distances are read.</param>
    /// <param name="smallRadius">r₁ &gt; 0.</param>
    /// <param name="largeRadius">r₂ &gt; r₁, finite. Every pair within r₂ is collected, within the product's
    /// result budget.</param>
    /// <param name="radii">The number of radii in the fit, at least 2 (default 8).</param>
    /// <param name="confidence">The coverage of the bootstrap interval (default 0.95).</param>
    /// <param name="resamples">Bootstrap resamples of the images (default 1000).</param>
    /// <param name="seed">Seed of the resampling.</param>
    /// <param name="progress">Receives the fraction done: the join (on the product's threads), then the
    /// bootstrap.</param>
    /// <param name="cancellationToken">Cancels the join and the bootstrap.</param>
    /// <returns>
    /// ν (dimensionless, ≥ 0) with its bootstrap percentile interval at <paramref name="confidence"/> and the radii
    /// used, in the product's metric's units. The interval covers the resampling noise of the per-row counts only
    /// (<see cref="IntervalCovers"/>), not the bias. Cost: one ε-join at r₂, its pairs held in memory.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">The radii are not 0 &lt; r₁ &lt; r₂ &lt; ∞, fewer than 2
    /// radii, or another argument is out of range.</exception>
    /// <exception cref="InvalidOperationException">No pair lies within r₁, so no slope exists.</exception>
    /// <exception cref="ResultBudgetExceededException">More pairs lie within r₂ than the product's result
    /// budget.</exception>
    public static CorrelationDimension EstimateOverRange(ApproximateFiberProduct product, double smallRadius,
        double largeRadius, int radii = 8, double confidence = 0.95, int resamples = 1000, int seed =
        0, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(product);
        var scope = new ExecutionScope(product.Options.MaxDegreeOfParallelism, progress, cancellationToken);
        var grid = Grid(smallRadius, largeRadius, radii);
        CheckBootstrap(confidence, resamples);
        return FromPairs(product, largeRadius, grid, excludeSelf: false, confidence, resamples, seed, scope);
    }

    /// <summary>
    /// Estimates ν for one point set (the Grassberger–Procaccia correlation dimension): r₁ and r₂ are the
    /// medians of the points' k₁-th and k₂-th nearest-neighbour distances (the point itself excluded), C(r) counts
    /// the ordered pairs of distinct points within r.
    /// </summary>
    /// <param name="points">The points.</param>
    /// <param name="k1">The nearest-neighbour rank that sets r₁ (default 10).</param>
    /// <param name="k2">The nearest-neighbour rank that sets r₂ (default 20), above <paramref name="k1"/> and below
    /// the number of points.</param>
    /// <param name="confidence">The coverage of the bootstrap interval (default 0.95).</param>
    /// <param name="resamples">Bootstrap resamples of the points (default 1000).</param>
    /// <param name="seed">Seed of the resampling.</param>
    /// <param name="options">Options of the joins (threads, result budget).</param>
    /// <param name="progress">Receives the fraction done: the joins, then the bootstrap.</param>
    /// <param name="cancellationToken">Cancels the joins and the bootstrap.</param>
    /// <returns>
    /// ν (dimensionless, ≥ 0) with its bootstrap percentile interval at <paramref name="confidence"/> and the radii
    /// used, in the Euclidean metric's units. The interval covers the resampling noise of the per-row counts only
    /// (<see cref="IntervalCovers"/>), not the bias. Cost: a self-join for the k-nearest distances,
    /// one ε-join at r₂.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">The ranks are not 1 ≤ k₁ &lt; k₂ &lt; number of points, or
    /// another argument is out of range.</exception>
    /// <exception cref="InvalidOperationException">The two radii coincide or a count is zero, so no slope
    /// exists.</exception>
    /// <example>
    /// <code>
    /// var cube = ManifoldSamples.Cube(count: 2000, dimension: 5, ambient: 64, seed: 1);
    /// var nu = CorrelationDimension.OfPoints(cube, seed: 1);                   // about 5, biased low as k grows
    /// var range = CorrelationDimension.OfPointsOverRange(cube, 0.2, 0.4, radii: 8, seed: 1);
    /// </code>
    /// </example>
    public static CorrelationDimension OfPoints(EmbeddingSet points, int k1 = 10, int k2 = 20, double confidence = 0.95,
        int resamples = 1000, int seed = 0, FiberProductOptions? options = null, IProgress<double>? progress =
        null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(points);
        var scope = new ExecutionScope(options?.MaxDegreeOfParallelism ?? -1, progress, cancellationToken);
        CheckRanks(k1, k2, points.Count - 1, "the number of points − 1");
        CheckBootstrap(confidence, resamples);
        var neighbours = NeighbourDistances.Of(points, k2, options, nameof(k2), scope.Part(0, 0.4));
        var (r1, r2) = MedianRadii(neighbours.Select(t => t[k1 - 1]).ToArray(),
            neighbours.Select(t => t[k2 - 1]).ToArray());
        var product = new ApproximateFiberProduct(points, points, FiberMetric.Euclidean, options);
        return FromPairs(product, r2, [r1, r2], excludeSelf: true, confidence, resamples, seed, scope.Part(0.4, 1));
    }

    /// <summary>Estimates ν for one point set over a radius range the caller chooses (see the fiber-product
    /// overload).</summary>
    /// <param name="points">The points.</param>
    /// <param name="smallRadius">r₁ &gt; 0.</param>
    /// <param name="largeRadius">r₂ &gt; r₁, finite. Every pair within r₂ is collected, within the result
    /// budget.</param>
    /// <param name="radii">The number of log-spaced radii in the fit, at least 2 (default 8).</param>
    /// <param name="confidence">The coverage of the bootstrap interval (default 0.95).</param>
    /// <param name="resamples">Bootstrap resamples of the points (default 1000).</param>
    /// <param name="seed">Seed of the resampling.</param>
    /// <param name="options">Options of the join (threads, result budget).</param>
    /// <param name="progress">Receives the fraction done: the join, then the bootstrap.</param>
    /// <param name="cancellationToken">Cancels the join and the bootstrap.</param>
    /// <returns>
    /// ν (dimensionless, ≥ 0) with its bootstrap percentile interval at <paramref name="confidence"/> and the radii
    /// used, in the Euclidean metric's units. The interval covers the resampling noise of the per-row counts only
    /// (<see cref="IntervalCovers"/>), not the bias. Cost: one ε-join at r₂, its pairs held in memory.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException">The radii are not 0 &lt; r₁ &lt; r₂ &lt; ∞, fewer than 2
    /// radii, or another argument is out of range.</exception>
    /// <exception cref="InvalidOperationException">No pair lies within r₁, so no slope exists.</exception>
    /// <exception cref="ResultBudgetExceededException">More pairs lie within r₂ than the result budget.</exception>
    public static CorrelationDimension OfPointsOverRange(EmbeddingSet points, double smallRadius, double largeRadius,
        int radii = 8, double confidence = 0.95, int resamples = 1000, int seed = 0, FiberProductOptions? options =
        null, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(points);
        var scope = new ExecutionScope(options?.MaxDegreeOfParallelism ?? -1, progress, cancellationToken);
        var grid = Grid(smallRadius, largeRadius, radii);
        CheckBootstrap(confidence, resamples);
        var product = new ApproximateFiberProduct(points, points, FiberMetric.Euclidean, options);
        return FromPairs(product, largeRadius, grid, excludeSelf: true, confidence, resamples, seed, scope);
    }

    private static void CheckRanks(int k1, int k2, int limit, string what)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k1, 1);
        if (k2 <= k1 || k2 > limit)
            throw new ArgumentOutOfRangeException(nameof(k2), k2,
                Resampling.Invariant($"Expected {k1} < k2 ≤ {limit} ({what})."));
    }

    private static void CheckBootstrap(double confidence, int resamples)
    {
        Resampling.CheckCoverage(confidence, nameof(confidence));
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
    }

    private static (double R1, double R2) MedianRadii(double[] kth1, double[] kth2)
    {
        double r1 = Quantiles.Median(kth1), r2 = Quantiles.Median(kth2);
        if (!(r2 > r1))
            throw new InvalidOperationException(
                Resampling.Invariant($"The radii coincide (r₁ = r₂ = {r1}); the slope is undefined."));
        if (r1 == 0)
            throw new InvalidOperationException(
                "r₁ = 0 (duplicated points); the logarithm of the radius is undefined.");
        return (r1, r2);
    }

    /// <summary><paramref name="radii"/> radii from r₁ to r₂, equally spaced in log r, the ends exact.</summary>
    private static double[] Grid(double smallRadius, double largeRadius, int radii)
    {
        double r1 = smallRadius, r2 = largeRadius;
        int count = radii;
        if (!(r1 > 0 && double.IsFinite(r1)))
            throw new ArgumentOutOfRangeException(nameof(smallRadius), r1, "Expected a finite radius r₁ > 0.");
        if (!(r2 > r1 && double.IsFinite(r2)))
            throw new ArgumentOutOfRangeException(nameof(largeRadius), r2,
                Resampling.Invariant($"Expected a finite radius r₂ > r₁ = {r1}."));
        ArgumentOutOfRangeException.ThrowIfLessThan(radii, 2);
        var grid = new double[count];
        for (int g = 0; g < count; g++) grid[g] = r1 * Math.Pow(r2 / r1, (double)g / (count - 1));
        grid[^1] = r2;
        return grid;
    }

    /// <summary>counts[i][g] = the pairs of row i within radius g (the pair (i, i) left out when the set is joined with
    /// itself).</summary>
    private static long[][] RowCounts(PairSet pairs, double[] grid, bool excludeSelf, ExecutionScope scope)
    {
        var counts = new long[pairs.RowCount][];
        scope.For(0, counts.Length, i =>
        {
            var row = new long[grid.Length];
            var columns = pairs.ColumnsOfRow(i);
            var distances = pairs.DistancesOfRow(i);
            for (int p = 0; p < distances.Length; p++)
            {
                if (excludeSelf && columns[p] == i) continue;
                for (int g = 0; g < grid.Length; g++) if (distances[p] <= grid[g]) row[g]++;
            }
            counts[i] = row;
        }, reportEvery: 1024);
        return counts;
    }

    /// <summary>The pairs within the largest radius (the join: 0 … 0.6 of the stage), counted per row, then the slope
    /// and its bootstrap.</summary>
    private static CorrelationDimension FromPairs(ApproximateFiberProduct product, double largest, double[] grid,
        bool excludeSelf, double confidence, int resamples, int seed, ExecutionScope scope)
    {
        var pairs = product.Pairs(largest, ScopeProgress.Of(scope.Part(0, 0.6)), scope.Token);
        var counts = RowCounts(pairs, grid, excludeSelf, scope.Part(0.6, 0.7));
        return FromCounts(counts, grid, confidence, resamples, seed, scope.Part(0.7, 1));
    }

    /// <summary>The slope of the summed counts and its bootstrap over the rows, drawn in order from one generator (so
    /// the interval does not depend on the thread count).</summary>
    private static CorrelationDimension FromCounts(long[][] counts, double[] grid, double confidence, int resamples,
        int seed, ExecutionScope scope)
    {
        int n = counts.Length;
        if (n == 0) throw new InvalidOperationException("There are no rows.");
        var totals = new long[grid.Length];
        foreach (var row in counts) for (int g = 0; g < grid.Length; g++) totals[g] += row[g];
        double estimate = Slope(totals, grid);
        var random = new Random(seed);
        var samples = new double[resamples];
        for (int b = 0; b < resamples; b++)
        {
            scope.ThrowIfCancelled();
            Array.Clear(totals);
            for (int t = 0; t < n; t++)
            {
                var row = counts[random.Next(n)];
                for (int g = 0; g < grid.Length; g++) totals[g] += row[g];
            }
            // A resample with no pair within r₁ has no finite slope: it counts as +∞ (an unbounded upper end).
            samples[b] = totals[0] == 0 ? double.PositiveInfinity : Slope(totals, grid);
            scope.Report((b + 1.0) / resamples);
        }
        var (lower, upper) = Quantiles.CentralInterval(samples, confidence);
        return new CorrelationDimension(estimate, lower, upper, grid[0], grid[^1]);
    }

    /// <summary>The least-squares slope of log C(r) on log r.</summary>
    private static double Slope(long[] totals, double[] grid)
    {
        if (totals[0] == 0)
            throw new InvalidOperationException(
                Resampling.Invariant($"No pair lies within r₁ = {grid[0]}; the slope is undefined."));
        double mx = 0, my = 0;
        for (int g = 0; g < grid.Length; g++) { mx += Math.Log(grid[g]); my += Math.Log(totals[g]); }
        mx /= grid.Length;
        my /= grid.Length;
        double sxy = 0, sxx = 0;
        for (int g = 0; g < grid.Length; g++)
        {
            double x = Math.Log(grid[g]) - mx;
            sxy += x * (Math.Log(totals[g]) - my);
            sxx += x * x;
        }
        return sxy / sxx;
    }
}
