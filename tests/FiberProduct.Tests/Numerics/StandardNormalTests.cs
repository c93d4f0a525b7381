using FiberProduct.Numerics;
using MathNet.Numerics.Distributions;

namespace FiberProduct.Tests.Numerics;

public class StandardNormalTests
{
    [Fact]
    public void Draws_FollowTheStandardNormalLaw()
    {
        // Kolmogorov–Smirnov against Φ: with n = 100,000 the statistic exceeds 1.95/√n with probability below 0.1
        // %; the sample mean and variance within 5 standard errors of 0 and 1.
        const int n = 100_000;
        var random = new Random(11);
        var draws = new double[n];
        for (int i = 0; i < n; i++) draws[i] = StandardNormal.Sample(random);
        Array.Sort(draws);
        double ks = 0;
        for (int i = 0; i < n; i++)
        {
            double f = Normal.CDF(0, 1, draws[i]);
            ks = Math.Max(ks, Math.Max(Math.Abs(f - (double)i / n), Math.Abs(f - (i + 1.0) / n)));
        }
        Assert.True(ks < 1.95 / Math.Sqrt(n), $"KS statistic {ks}");
        double mean = draws.Average(), variance = draws.Sum(x => (x - mean) * (x - mean)) / (n - 1);
        Assert.InRange(mean, -5 / Math.Sqrt(n), 5 / Math.Sqrt(n));
        Assert.InRange(variance, 1 - 5 * Math.Sqrt(2.0 / n), 1 + 5 * Math.Sqrt(2.0 / n));
    }

    [Fact]
    public void Draws_AreBoxMullersCosineBranch_TwoUniformsEach()
    {
        // The seeded results of the library are defined by this sequence: √(−2 ln(1 − U₁))·cos(2π U₂).
        var reference = new Random(5);
        var random = new Random(5);
        for (int i = 0; i < 100; i++)
        {
            double u1 = reference.NextDouble(), u2 = reference.NextDouble();
            Assert.Equal(Math.Sqrt(-2 * Math.Log(1 - u1)) * Math.Cos(2 * Math.PI * u2), StandardNormal.Sample(random));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(256)] // one block
    [InlineData(257)] // a block and one more
    [InlineData(1000)]
    public void Fill_DrawsWhatSampleDraws_ToTheLastBits(int count)
    {
        // The same uniforms in the same order: each deviate within a few units in the last place of the radius (the
        // vector logarithm and cosine may round differently from Math's), and the generators end in the same state.
        var one = new Random(9);
        var bulk = new Random(9);
        var expected = Enumerable.Range(0, count).Select(_ => StandardNormal.Sample(one)).ToArray();
        var actual = new double[count];
        StandardNormal.Fill(bulk, actual);
        for (int i = 0; i < count; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-14 * Math.Max(1, Math.Abs(expected[i])),
                $"deviate {i}: {actual[i]:R} against {expected[i]:R}");
        Assert.Equal(one.NextDouble(), bulk.NextDouble());
    }
}
