using FiberProduct.Analysis;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Tests.Fiber;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Analysis;

public class SphereDistancesTests
{
    private static EmbeddingSet UniformOnSphere(Random random, int count, int d)
    {
        var values = new float[count * d];
        for (int i = 0; i < count; i++)
        {
            double norm = 0;
            var row = new double[d];
            for (int k = 0; k < d; k++) { row[k] = Sets.Gaussian(random); norm += row[k] * row[k]; }
            for (int k = 0; k < d; k++) values[i * d + k] = (float)(row[k] / Math.Sqrt(norm));
        }
        return new EmbeddingSet(values, count, d);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(1024)]
    public void ClosedForm_AgreesWithMonteCarlo(int d)
    {
        // 400 × 400 independent uniform points: 160,000 pairs (not independent of one another, but each pair is
        // uniform); the count must fall within 6 binomial standard errors, inflated by 4 for the shared rows.
        var random = new Random(d);
        var images = UniformOnSphere(random, 400, d);
        var texts = UniformOnSphere(random, 400, d);
        var product = new ApproximateFiberProduct(images, texts);
        foreach (double fraction in new[] { 0.01, 0.1, 0.5, 0.9 })
        {
            double epsilon = SphereDistances.EpsilonForFraction(d, fraction);
            double p = SphereDistances.ProbabilityWithin(d, epsilon);
            long observed = product.Count(epsilon);
            double expected = SphereDistances.ExpectedPairs(400, 400, d, epsilon);
            double standardError = Math.Sqrt(160_000 * p * (1 - p));
            Assert.True(Math.Abs(observed - expected) <= 6 * 4 * standardError + 1,
                $"d={d} ε={epsilon:F6}: observed {observed}, expected {expected:F1} ± {standardError:F1}");
        }
    }

    [Fact]
    public void KnownValues_AndEdges()
    {
        Assert.Equal(0.5, SphereDistances.ProbabilityWithin(7, Math.Sqrt(2)), 12);        // t = 0: half of all pairs
        Assert.Equal(Math.Sqrt(2), SphereDistances.EpsilonForFraction(300, 0.5), 12);
        // On the circle (d = 2) the angle is uniform on [0, π]: P(‖x − y‖ ≤ ε) = 2·arcsin(ε/2)/π.
        foreach (double e in new[] { 0.1, 0.7, 1.3, 1.9 })
            Assert.Equal(2 * Math.Asin(e / 2) / Math.PI, SphereDistances.ProbabilityWithin(2, e), 10);
        // On S^2 (d = 3) ⟨x, y⟩ is uniform on [−1, 1]: P = ε²/4.
        foreach (double e in new[] { 0.1, 0.7, 1.3, 1.9 })
            Assert.Equal(e * e / 4, SphereDistances.ProbabilityWithin(3, e), 10);
        Assert.Equal(0, SphereDistances.ProbabilityWithin(5, 0));
        Assert.Equal(1, SphereDistances.ProbabilityWithin(5, 2));
        Assert.Equal(1, SphereDistances.ProbabilityWithin(5, 1e300));
        Assert.Equal(0.5, SphereDistances.ProbabilityWithin(1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SphereDistances.ProbabilityWithin(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SphereDistances.ProbabilityWithin(3, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SphereDistances.ProbabilityWithin(3, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => SphereDistances.EpsilonForFraction(3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SphereDistances.EpsilonForFraction(3, 1.5));
    }

    [Property(MaxTest = 200)]
    public bool Probability_IsMonotoneInEpsilon_AndFallsWithDimensionBelowSqrt2(byte d, byte e1, byte e2)
    {
        int dimension = 2 + d % 200;
        double a = e1 / 128.0, b = e2 / 128.0; // ε in [0, 2)
        if (a > b) (a, b) = (b, a);
        bool monotone =
            SphereDistances.ProbabilityWithin(dimension, a) <= SphereDistances.ProbabilityWithin(dimension, b);
        bool falls = a >= Math.Sqrt(2)
            || SphereDistances.ProbabilityWithin(dimension + 1, a) <= SphereDistances.ProbabilityWithin(dimension, a);
        return monotone && falls;
    }

    [Fact]
    public void Concentration_TheQuartileWidthShrinksLikeOneOverSqrtD()
    {
        // T5: the ε holding a fixed fraction tends to √2; the interquartile width times √d settles to a constant.
        var scaled = new[] { 16, 64, 256, 1024, 4096 }
            .Select(d => Math.Sqrt(d)
                * (SphereDistances.EpsilonForFraction(d, 0.75) - SphereDistances.EpsilonForFraction(d, 0.25)))
            .ToArray();
        Assert.All(scaled, w => Assert.InRange(w, 0.9, 1.0));
        Assert.True(Math.Abs(scaled[^1] - scaled[^2]) < 0.01);
        Assert.True(SphereDistances.ProbabilityWithin(1024, 1.0) < 1e-30,
            "at fixed ε < √2 the probability vanishes exponentially in d");
    }

    [Fact]
    public void CorrelationDimension_IsTheSpheresDimensionAtSmallRadii_AndFarAboveItNearSqrt2()
    {
        // S² ⊂ R³: P(‖x − y‖ ≤ r) = r²/4 exactly, so the slope is 2 between any radii.
        Assert.Equal(2, SphereDistances.CorrelationDimension(3, 0.3, 1.7), 1e-12);
        // S⁹ at small radii: its dimension 9. S^511 at the radii where CLIP's cross-modal pairs lie: neither 511 nor
        // any dimension, a rate that depends on the radii (ν ≈ 215 at 1.213 … 1.225, ≈ 92 at 1.354 … 1.360).
        Assert.Equal(9, SphereDistances.CorrelationDimension(10, 1e-4, 2e-4), 1e-3);
        Assert.InRange(SphereDistances.CorrelationDimension(512, 1.2128, 1.2252), 200, 230);
        Assert.InRange(SphereDistances.CorrelationDimension(512, 1.354, 1.360), 85, 100);
        Assert.Equal("largeRadius",
            Assert.Throws<ArgumentOutOfRangeException>(() => SphereDistances.CorrelationDimension(3, 1, 1)).ParamName);
        Assert.Equal("smallRadius",
            Assert.Throws<ArgumentOutOfRangeException>(() => SphereDistances.CorrelationDimension(3, 0, 1)).ParamName);
        Assert.Throws<InvalidOperationException>(() => SphereDistances.CorrelationDimension(4096, 1e-3, 1e-2));
    }
}
