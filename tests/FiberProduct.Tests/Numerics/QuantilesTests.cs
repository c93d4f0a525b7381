using FiberProduct.Numerics;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Numerics;

public class QuantilesTests
{
    [Property(MaxTest = 200)]
    public bool Percentile_OfAnArithmeticProgression_IsItsClosedForm(byte count, byte percent, short start, byte step)
    {
        // Values a + b·i, i = 0 … n − 1, in any order: the p-th percentile is a + b·p/100·(n − 1) (type 7).
        int n = count % 50 + 1;
        double p = percent % 101, a = start, b = step % 7 + 1;
        var values = Enumerable.Range(0, n).Select(i => a + b * i).Reverse().ToArray();
        return Math.Abs(Quantiles.Percentile(values, p) - (a + b * p / 100 * (n - 1))) <= 1e-9
            * (1 + Math.Abs(a) + b * n);
    }

    [Fact]
    public void Median_OfOddAndEvenCounts_AndLeavesTheValuesAlone()
    {
        var values = new[] { 5.0, 1, 4, 2, 3 };
        Assert.Equal(3, Quantiles.Median(values));
        Assert.Equal(new[] { 5.0, 1, 4, 2, 3 }, values);
        Assert.Equal(2.5, Quantiles.Median([4.0, 1, 3, 2]));
        Assert.Equal(7, Quantiles.Median([7.0]));
        Assert.Throws<InvalidOperationException>(() => Quantiles.Median([]));
        Assert.True(double.IsNaN(Quantiles.OfSorted([], 0.5)));
    }

    [Property(MaxTest = 200)]
    public bool CentralInterval_NeverUndercutsItsCoverage(byte count, byte level, int seed)
    {
        // Of B distinct draws, at least coverage·B lie in the interval (it rounds outwards), and it is the order
        // statistics at ⌊α(B − 1)⌋ and ⌈(1 − α)(B − 1)⌉.
        int b = count % 200 + 1;
        double coverage = 0.5 + level % 50 / 100.0;
        var random = new Random(seed);
        var draws = Enumerable.Range(0, b).Select(_ => random.NextDouble()).ToArray();
        var sorted = draws.Order().ToArray();
        var (lower, upper) = Quantiles.CentralInterval(draws, coverage);
        double alpha = (1 - coverage) / 2;
        int inside = sorted.Count(x => x >= lower && x <= upper);
        return inside >= coverage * b - 1e-9 && lower == sorted[(int)Math.Floor(alpha * (b - 1))]
            && upper == sorted[(int)Math.Ceiling((1 - alpha) * (b - 1))];
    }
}
