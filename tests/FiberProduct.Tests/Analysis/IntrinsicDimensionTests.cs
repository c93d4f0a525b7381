using FiberProduct.Analysis;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Tests.Fiber;

namespace FiberProduct.Tests.Analysis;

public class IntrinsicDimensionTests
{
    /// <summary>The k nearest other points of every point, by brute force (float64 reference distances,
    /// sorted).</summary>
    private static double[][] BruteNeighbours(EmbeddingSet points, int k) =>
        Enumerable.Range(0, points.Count).Select(i => Enumerable.Range(0, points.Count).Where(j => j != i)
            .Select(j => BruteForce.Distance(FiberMetric.Euclidean, points.Row(i), points.Row(j))).Order().Take(k)
                .ToArray()).ToArray();

    [Fact]
    public void MaximumLikelihood_EqualsTheFormulaOnBruteForceNeighbours()
    {
        var points = Sets.Random(new Random(3), 120, 5);
        var t = BruteNeighbours(points, 12);
        // Levina–Bickel per point and k, MacKay–Ghahramani: invert the mean of the inverses; then average over k.
        double expected = 0;
        for (int k = 6; k <= 12; k++)
        {
            double meanInverse = 0;
            foreach (var row in t)
            {
                double s = 0;
                for (int j = 0; j < k - 1; j++) s += Math.Log(row[k - 1] / row[j]);
                meanInverse += s / (k - 1) / t.Length;
            }
            expected += 1 / meanInverse / 7;
        }
        var estimate = MaximumLikelihoodDimension.Estimate(points, k1: 6, k2: 12, resamples: 50);
        Assert.Equal(expected, estimate.Dimension, 1e-10);
        Assert.InRange(estimate.Dimension, estimate.Lower, estimate.Upper);
        Assert.Equal(120, estimate.Points);
        Assert.Contains("not the estimator's bias", estimate.IntervalCovers, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoNN_EqualsFaccosFitOnBruteForceNeighbours()
    {
        var points = Sets.Random(new Random(4), 150, 3);
        var mu = BruteNeighbours(points, 2).Select(r => Math.Log(r[1] / r[0])).Order().ToArray();
        int kept = (int)Math.Floor(0.8 * mu.Length); // discard 20 %
        double xy = 0, xx = 0;
        for (int i = 0; i < kept; i++) { xy += mu[i] * -Math.Log(1 - (i + 1.0) / mu.Length); xx += mu[i] * mu[i]; }
        var estimate = TwoNearestNeighboursDimension.Estimate(points, discardFraction: 0.2, resamples: 50);
        Assert.Equal(xy / xx, estimate.Dimension, 1e-10);
    }

    [Fact]
    public void CorrelationIntegral_EqualsBruteForceCountsOverTheRange()
    {
        var points = Sets.Random(new Random(5), 90, 4);
        var all = Enumerable.Range(0, 90).SelectMany(i => Enumerable.Range(0, 90).Where(j => j != i)
            .Select(j => BruteForce.Distance(FiberMetric.Euclidean, points.Row(i), points.Row(j)))).ToArray();
        double r1 = 0.4, r2 = 1.1;
        var radii = Enumerable.Range(0, 5).Select(g => r1 * Math.Pow(r2 / r1, g / 4.0)).ToArray();
        var x = radii.Select(r => Math.Log(r)).ToArray();
        var y = radii.Select(r => Math.Log(all.Count(d => d <= r))).ToArray();
        double mx = x.Average(), my = y.Average();
        double slope = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum() / x.Sum(a => (a - mx) * (a - mx));
        var estimate = CorrelationDimension.OfPointsOverRange(points, r1, r2, radii: 5, resamples: 50);
        Assert.Equal(slope, estimate.Dimension, 1e-10);
        Assert.Equal(r1, estimate.SmallRadius);
        Assert.Equal(r2, estimate.LargeRadius);
    }

    [Fact]
    public void CrossModalRange_TwoRadii_IsTheTwoPointSlope()
    {
        var random = new Random(6);
        var product = new ApproximateFiberProduct(Sets.Random(random, 80, 3), Sets.Random(random, 70, 3));
        var estimate = CorrelationDimension.EstimateOverRange(product, 0.5, 0.9, radii: 2, resamples: 20);
        double expected = Math.Log((double)product.Count(0.9) / product.Count(0.5)) / Math.Log(0.9 / 0.5);
        Assert.Equal(expected, estimate.Dimension, 1e-12);
    }

    /// <summary>
    /// Known truth at small N: 2,000 points of each manifold in R^24, every estimator within 12 % of k at k ≤ 5
    /// (measured: 0.99–1.00 at k = 1, 1.94–2.02 at k = 2, 4.46–4.84 at k = 5, the cube lowest). The exact
    /// formulas are pinned by the brute-force tests above; this one fails when an estimator stops measuring dimension
    /// at all (self-neighbours kept give T₁ = 0, a wrong log ratio or slope scales the answer).
    /// </summary>
    [Theory]
    [InlineData("cube", 1)]
    [InlineData("cube", 2)]
    [InlineData("cube", 5)]
    [InlineData("sphere", 2)]
    [InlineData("sphere", 5)]
    [InlineData("roll", 2)]
    public void Estimators_RecoverTheKnownDimension(string manifold, int k)
    {
        var points = manifold switch
        {
            "cube" => ManifoldSamples.Cube(2000, k, 24, seed: k),
            "sphere" => ManifoldSamples.Sphere(2000, k, 24, seed: k),
            _ => ManifoldSamples.SwissRoll(2000, k, 24, seed: k),
        };
        var mle = MaximumLikelihoodDimension.Estimate(points, resamples: 100, seed: 1);
        var twoNn = TwoNearestNeighboursDimension.Estimate(points, resamples: 100, seed: 1);
        var corr = CorrelationDimension.OfPoints(points, resamples: 100, seed: 1);
        foreach (var (name, value) in new[] { ("MLE", mle.Dimension), ("TwoNN", twoNn.Dimension),
            ("correlation", corr.Dimension) })
            Assert.True(Math.Abs(value - k) <= 0.12 * k, $"{manifold} k = {k}: {name} = {value:F3}");
    }

    [Fact]
    public void HighDimension_IsUnderestimated_AsTheBiasTableSays()
    {
        // A 20-dimensional cube from 1,500 points: every estimator is well below 20 (the documented bias), above 10.
        var points = ManifoldSamples.Cube(1500, 20, 32, seed: 9);
        foreach (double value in new[]
        {
            MaximumLikelihoodDimension.Estimate(points, resamples: 20).Dimension,
            TwoNearestNeighboursDimension.Estimate(points, resamples: 20).Dimension,
            CorrelationDimension.OfPoints(points, resamples: 20).Dimension,
        })
            Assert.InRange(value, 10, 18);
    }

    [Fact]
    public void Intervals_AreSeeded_AndContainTheEstimate()
    {
        var points = ManifoldSamples.Sphere(600, 3, 8, seed: 2);
        var a = TwoNearestNeighboursDimension.Estimate(points, resamples: 200, seed: 7);
        var b = TwoNearestNeighboursDimension.Estimate(points, resamples: 200, seed: 7);
        Assert.Equal(a, b);
        Assert.InRange(a.Dimension, a.Lower, a.Upper);
        Assert.True(a.Upper - a.Lower > 0);
        var c = MaximumLikelihoodDimension.Estimate(points, resamples: 200, seed: 7, coverage: 0.5);
        var d = MaximumLikelihoodDimension.Estimate(points, resamples: 200, seed: 7, coverage: 0.99);
        Assert.True(d.Upper - d.Lower > c.Upper - c.Lower);
    }

    [Fact]
    public void Neighbours_SkipTheSelf_EvenAmongDuplicates()
    {
        // Three copies of each of 40 points: every point's nearest other point is a copy, at distance 0.
        var baseSet = Sets.Random(new Random(8), 40, 3);
        var rows = Enumerable.Range(0, 120).Select(i => baseSet.Row(i % 40).ToArray()).ToArray();
        var points = EmbeddingSet.FromRows(rows);
        var ex = Assert.Throws<InvalidOperationException>(
            () => MaximumLikelihoodDimension.Estimate(points, resamples: 1));
        Assert.Contains("coincides", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => TwoNearestNeighboursDimension.Estimate(points, resamples: 1));
    }

    [Fact]
    public void BadArguments_AreRejected_NamingTheArgument()
    {
        var points = Sets.Random(new Random(2), 30, 4);
        Assert.Equal("k1",
            Assert.Throws<ArgumentOutOfRangeException>(() => MaximumLikelihoodDimension.Estimate(points, k1: 1))
            .ParamName);
        Assert.Equal("k2",
            Assert.Throws<ArgumentOutOfRangeException>(() => MaximumLikelihoodDimension.Estimate(points, k1: 5, k2: 4))
            .ParamName);
        Assert.Equal("k2",
            Assert.Throws<ArgumentOutOfRangeException>(() => MaximumLikelihoodDimension.Estimate(points, k2: 30))
            .ParamName);
        Assert.Equal("coverage",
            Assert.Throws<ArgumentOutOfRangeException>(() => MaximumLikelihoodDimension.Estimate(points, coverage: 1))
            .ParamName);
        Assert.Equal("discardFraction",
            Assert.Throws<ArgumentOutOfRangeException>(
                () => TwoNearestNeighboursDimension.Estimate(points, discardFraction: 1)).ParamName);
        Assert.Equal("resamples",
            Assert.Throws<ArgumentOutOfRangeException>(
                () => TwoNearestNeighboursDimension.Estimate(points, resamples: 0)).ParamName);
        Assert.Equal("smallRadius",
            Assert.Throws<ArgumentOutOfRangeException>(() => CorrelationDimension.OfPointsOverRange(points, 0, 1))
            .ParamName);
        Assert.Equal("largeRadius",
            Assert.Throws<ArgumentOutOfRangeException>(() => CorrelationDimension.OfPointsOverRange(points, 1, 1))
            .ParamName);
        Assert.Equal("radii",
            Assert.Throws<ArgumentOutOfRangeException>(
                () => CorrelationDimension.OfPointsOverRange(points, 0.5, 1, radii: 1)).ParamName);
        Assert.Equal("k2",
            Assert.Throws<ArgumentOutOfRangeException>(() => CorrelationDimension.OfPoints(points, k2: 30)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => ManifoldSamples.Sphere(10, 5, 5, 0));
    }

    [Fact]
    public void Cancellation_IsHonoured()
    {
        var points = ManifoldSamples.Cube(300, 2, 4, seed: 1);
        using var source = new CancellationTokenSource();
        source.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => MaximumLikelihoodDimension.Estimate(points,
            cancellationToken: source.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => TwoNearestNeighboursDimension.Estimate(points,
            cancellationToken: source.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => CorrelationDimension.OfPoints(points,
            cancellationToken: source.Token));
    }
}
