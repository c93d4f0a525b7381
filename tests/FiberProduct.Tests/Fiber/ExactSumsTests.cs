using System.Numerics;
using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.Fiber.Exact;
using FiberProduct.Fiber.Kernels;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Fiber;

/// <summary>
/// The exact sums that decide boundary pairs, against <see cref="ExactRational"/> (written apart from the engine):
/// the 64-bit path (<see cref="Dyadic.TryOnCommonScale"/> and <see cref="WideSum"/>) and the BigInteger path it falls
/// back to when a row spans more than 62 binary orders. Rows mix exponent spans from 0 to 120 (both paths), zeros,
/// −0, subnormals and signs; <see cref="WideSum"/> is driven past 2^128 so that its wrap counts act.
/// </summary>
public class ExactSumsTests
{
    public sealed record Rows(double[] X, double[] Y)
    {
        public override string ToString() => $"x = [{Join(X)}], y = [{Join(Y)}]";

        private static string Join(double[] values) => string.Join(", ",
            values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
    }

    public static Arbitrary<Rows> Pairs() =>
        (from d in Gen.Elements(1, 2, 3, 7, 16, 33)
         from span in Gen.Elements(0, 5, 9, 10, 30, 62, 63, 120)
         from offset in Gen.Elements(-1070, -300, -60, 0, 60, 900)
         from seed in Gen.Choose(0, int.MaxValue)
         select Build(d, span, offset, seed)).ToArbitrary();

    private static Rows Build(int d, int span, int offset, int seed)
    {
        var random = new Random(seed);
        double Value() => random.Next(8) switch
        {
            0 => 0.0,
            1 => -0.0,
            2 => Math.ScaleB(random.Next(1, 9), offset), // few mantissa bits: equal and near-equal coordinates
            _ => (random.Next(2) == 0 ? -1 : 1) * Math.ScaleB(1 + random.NextDouble(), offset + random.Next(span + 1)),
        };
        double[] x = new double[d], y = new double[d];
        for (int k = 0; k < d; k++)
        {
            x[k] = Value();
            y[k] = random.Next(4) == 0 ? x[k] : Value();
        }
        return new Rows(x, y);
    }

    [Property(Arbitrary = [typeof(ExactSumsTests)], MaxTest = 400)]
    public bool SquaredEuclidean_EqualsTheRationalSum(Rows rows)
    {
        var (n, e) = ExactSums.SquaredEuclidean(rows.X, rows.Y);
        var (m, f) = ExactRational.SquaredEuclidean(rows.X, rows.Y);
        return ExactRational.Equal(n, e, m, f);
    }

    [Property(Arbitrary = [typeof(ExactSumsTests)], MaxTest = 400)]
    public bool CosineAtLeast_AgreesWithTheRationalDecision(Rows rows)
    {
        if (rows.X.All(v => v == 0) || rows.Y.All(v => v == 0)) return true;
        // Tolerances at the pair's own float64 cosine and its neighbours, where only the exact sums decide.
        double dot = 0, xx = 0, yy = 0;
        for (int k = 0; k < rows.X.Length; k++)
        {
            dot += rows.X[k] * rows.Y[k];
            xx += rows.X[k] * rows.X[k];
            yy += rows.Y[k] * rows.Y[k];
        }
        double cosine = Math.Clamp(dot / Math.Sqrt(xx) / Math.Sqrt(yy), -1, 1);
        if (!double.IsFinite(cosine)) cosine = 0;
        foreach (double t in new[] { cosine, Math.BitIncrement(cosine), Math.BitDecrement(cosine), 0, 1, -1 })
        {
            double epsilon = 1 - t;
            if (epsilon < 0 || epsilon >= 2) continue;
            var (m, fe) = Dyadic.Split(epsilon);
            var (tm, te) = Dyadic.Subtract(BigInteger.One, 0, m, fe);
            if (ExactSums.CosineAtLeast(rows.X, rows.Y, tm, te)
                != ExactRational.Within(FiberMetric.Cosine, rows.X, rows.Y, epsilon)) return false;
        }
        return true;
    }

    [Fact]
    public void Generator_ReachesBothPaths()
    {
        // The property above is only worth something if both the 64-bit and the BigInteger paths run.
        var gen = Pairs().Generator;
        var samples = gen.Sample(300);
        int narrow = samples.Count(r => Dyadic.TryOnCommonScale([.. r.X, .. r.Y], new long[2 * r.X.Length], out _));
        Assert.InRange(narrow, 30, 270);
    }

    public static TheoryData<double[], bool> Spans => new()
    {
        { [1.0, 0.5], true },
        { [1 + Math.ScaleB(1, -52), Math.ScaleB(1, 9)], true }, // 53 significant bits from 2^-52 to 2^9: 62 orders
        { [1 + Math.ScaleB(1, -52), Math.ScaleB(1, 10)], false }, // 63
        { [-1 - Math.ScaleB(1, -52), Math.ScaleB(-1, 10)], false },
        { [1.0, Math.ScaleB(1, -61)], true }, // trailing zeros do not count: 1.0 is one significant bit
        { [(double)float.Epsilon, (double)float.MaxValue], false }, // float32 rows fit across 38 orders, not 277
        { [(double)float.Epsilon, Math.ScaleB((double)float.MaxValue, -239)], true },
        { [0.0, -0.0], true },
        { [double.Epsilon, Math.ScaleB(1, -1020)], true },
        { [double.Epsilon, 1.0], false },
        { [-1.0, 1.0, 0.0], true },
    };

    [Theory]
    [MemberData(nameof(Spans))]
    public void TryOnCommonScale_FitsExactlyWhatFits(double[] values, bool fits)
    {
        var integers = new long[values.Length];
        Assert.Equal(fits, Dyadic.TryOnCommonScale(values, integers, out int exponent));
        if (!fits) return;
        for (int k = 0; k < values.Length; k++)
        {
            Assert.True(Math.Abs(integers[k]) < 1L << 62, $"{integers[k]} does not fit");
            Assert.Equal(values[k], (double)integers[k] * Math.ScaleB(1, exponent));
        }
    }

    [Fact]
    public void WideSum_IsExact_PastEveryWrap()
    {
        // Products near 2^126 of both signs: the positive and negative sums wrap past 2^128 many times.
        var random = new Random(7);
        long[] extremes = [long.MaxValue, -long.MaxValue, 1L << 62, -(1L << 62), 1, -1, 0];
        for (int trial = 0; trial < 50; trial++)
        {
            var sum = new WideSum();
            BigInteger expected = BigInteger.Zero;
            int terms = random.Next(1, 400);
            for (int t = 0; t < terms; t++)
            {
                long a = random.Next(3) == 0 ? extremes[random.Next(extremes.Length)] : random.NextInt64(-long.MaxValue,
                    long.MaxValue);
                long b = trial % 2 == 0 ? a : extremes[random.Next(extremes.Length)];
                sum.Add(a, b);
                expected += (BigInteger)a * b;
            }
            Assert.Equal(expected, sum.Value);
        }
    }

    [Fact]
    public void Tolerance_IsTheSmallestDoubleThatHoldsThePair()
    {
        // Pairs at every magnitude, against the rational decision: τ holds the pair and the double below τ does not.
        var random = new Random(11);
        foreach (int exponent in new[] { -60, -1, 0, 20 })
        {
            float scale = (float)Math.ScaleB(1, exponent);
            var images = Sets.Random(random, 12, 9, scale);
            var texts = Sets.Random(random, 10, 9, scale);
            var op = new JoinOperands(images, texts, FiberMetric.Euclidean);
            var exact = new ExactCheck(op);
            for (int i = 0; i < images.Count; i++)
                for (int j = 0; j < texts.Count; j++)
                {
                    double tolerance = exact.Tolerance(i, j);
                    double[] x = Widen(images, i), y = Widen(texts, j);
                    Assert.True(ExactRational.Within(FiberMetric.Euclidean, x, y, tolerance));
                    Assert.True(tolerance == 0
                        || !ExactRational.Within(FiberMetric.Euclidean, x, y, Math.BitDecrement(tolerance)));
                }
        }
    }

    private static double[] Widen(EmbeddingSet set, int row)
    {
        var values = new double[set.Dimension];
        set.CopyRow(row, values);
        return values;
    }
}
