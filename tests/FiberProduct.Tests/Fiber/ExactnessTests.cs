using FiberProduct.Embedding;
using FiberProduct.Fiber;
using FiberProduct.IO;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FiberProduct.Tests.Fiber;

/// <summary>
/// The contract of docs/concepts.md ("Exactness"): (i, j) ∈ F_ε iff the exact real distance between the stored
/// vectors is at most ε, for float32 and float64 sets, on every metric, at ties and a few ulps either side, at every
/// magnitude — checked against <see cref="ExactRational"/>, an independent BigInteger brute force.
/// </summary>
public class ExactnessTests
{
    private static readonly FiberMetric[] Metrics = [FiberMetric.Euclidean, FiberMetric.Cosine, FiberMetric.Angular];

    /// <summary>Dimensions around every vector width (8 floats, 16 floats) and the 8-lane reference blocks.</summary>
    private static readonly int[] Dimensions = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 129, 257, 513];

    /// <summary>Tolerances on the pairs' own float64 distances and a few ulps either side: the boundary on
    /// purpose.</summary>
    private static double[] BoundaryTolerances(EmbeddingSet images, EmbeddingSet texts, FiberMetric metric,
        Random random, int count)
    {
        var all = BruteForce.AllDistances(images, texts, metric);
        var chosen = new List<double>();
        for (int t = 0; t < count; t++)
        {
            double e = all[random.Next(all.Length)];
            int ulps = random.Next(-3, 4);
            for (int u = 0; u < Math.Abs(ulps); u++) e = ulps > 0 ? Math.BitIncrement(e) : Math.BitDecrement(e);
            chosen.Add(Math.Max(0, e));
        }
        return [.. chosen];
    }

    private static void AssertExact(EmbeddingSet images, EmbeddingSet texts, FiberMetric metric, double[] tolerances,
        FiberProductOptions? options = null)
    {
        var product = new ApproximateFiberProduct(images, texts, metric, options);
        var profile = product.Profile(tolerances);
        for (int t = 0; t < tolerances.Length; t++)
        {
            var expected = BruteForce.Pairs(images, texts, tolerances[t], metric);
            var pairs = product.Pairs(tolerances[t]).ToList();
            Assert.Equal(expected.Select(p => (p.Image, p.Text)), pairs.Select(p => (p.Image, p.Text)));
            for (int p = 0; p < pairs.Count; p++)
            {
                // Bit for bit where the float64 sums are in range; elsewhere within the tolerance.
                if (!double.IsNaN(expected[p].Distance)) Assert.Equal(expected[p].Distance, pairs[p].Distance);
                Assert.InRange(pairs[p].Distance, 0, tolerances[t]);
            }
            Assert.Equal(expected.Count, product.Count(tolerances[t]));
            Assert.Equal(expected.Count, profile.Counts[t]);
        }
    }

    [Fact]
    public void TiesAndNeighbouringUlps_AreDecidedExactly_Float32()
    {
        var random = new Random(131);
        foreach (int d in Dimensions)
            foreach (var metric in Metrics)
            {
                var images = Sets.Clustered(random, 9, d, 0.3);
                var texts = Sets.Clustered(random, 11, d, 0.3);
                AssertExact(images, texts, metric, BoundaryTolerances(images, texts, metric, random, 6));
            }
    }

    [Fact]
    public void TiesAndNeighbouringUlps_AreDecidedExactly_Float64()
    {
        var random = new Random(132);
        foreach (int d in Dimensions)
            foreach (var metric in Metrics)
            {
                var images = Doubles(random, 9, d, 1);
                var texts = Doubles(random, 11, d, 1);
                AssertExact(images, texts, metric, BoundaryTolerances(images, texts, metric, random, 6));
            }
    }

    [Theory]
    [InlineData(1e-30)]
    [InlineData(1e-20)]
    [InlineData(1e-6)]
    [InlineData(1e6)]
    [InlineData(1e20)]
    [InlineData(1e30)]
    public void EveryMagnitude_IsDecidedExactly(double scale)
    {
        var random = new Random((int)Math.Log10(scale) + 200);
        foreach (int d in new[] { 3, 17, 64 })
        {
            var images = Sets.Random(random, 12, d, (float)scale);
            var texts = Sets.Random(random, 10, d, (float)scale);
            AssertExact(images, texts, FiberMetric.Euclidean,
                BoundaryTolerances(images, texts, FiberMetric.Euclidean, random, 5));
            var wide = Doubles(random, 12, d, scale * scale);
            var wideTexts = Doubles(random, 10, d, scale * scale);
            foreach (var metric in Metrics)
                AssertExact(wide, wideTexts, metric, BoundaryTolerances(wide, wideTexts, metric, random, 4));
        }
    }

    [Fact]
    public void SubnormalsAndMixedMagnitudes_AreDecidedExactly()
    {
        var random = new Random(133);
        float[] Values(int n) => [.. Enumerable.Range(0, n).Select(_ => random.Next(4) switch
        {
            0 => float.Epsilon * random.Next(1, 9),
            1 => (float)(random.NextDouble() - 0.5) * 1e-38f,
            2 => (float)(random.NextDouble() - 0.5),
            _ => 0f,
        })];
        var images = new EmbeddingSet(Values(8 * 9), 8, 9);
        var texts = new EmbeddingSet(Values(7 * 9), 7, 9);
        AssertExact(images, texts, FiberMetric.Euclidean,
            [0, double.Epsilon, 1e-45, 1e-40, 1e-38, .. BoundaryTolerances(images, texts,
                FiberMetric.Euclidean, random, 8)]);
        double[] Wide(int n) => [.. Enumerable.Range(0, n).Select(_ => random.Next(3) switch
        {
            0 => double.Epsilon * random.Next(1, 9),
            1 => (random.NextDouble() - 0.5) * 1e-300,
            _ => (random.NextDouble() - 0.5) * 1e300,
        })];
        var wide = new EmbeddingSet(Wide(6 * 5), 6, 5);
        var wideTexts = new EmbeddingSet(Wide(5 * 5), 5, 5);
        foreach (var metric in Metrics)
            // Their float64 sums leave [2^-900, 2^900], so every pair goes to the exact stage: tolerances on both sides
            // of the cosine's sign (ε = 0.5, 1, 1.5, 1.9) and angles around π/2 reach each branch of the sign rules.
            AssertExact(wide, wideTexts, metric, [0, 1e-310, 1e-300, 0.5, 1, 1.5, 1.9, Math.PI / 2, 2.5, 1e299, 1e300,
                1e301, double.MaxValue, double.PositiveInfinity]);
    }

    [Fact]
    public void DuplicatesAndZeroTolerance_AreExact()
    {
        var random = new Random(134);
        var images = Doubles(random, 6, 33, 1);
        var rows = Enumerable.Range(0, 9).Select(j =>
        {
            var row = new double[33];
            images.CopyRow(j % 6, row);
            // one ulp from an image: not in F_0, in F_ε for ε ≥ that ulp
            if (j >= 6) row[j] = Math.BitIncrement(row[j]);
            return row;
        }).ToList();
        var texts = EmbeddingSet.FromRows(rows);
        foreach (var metric in Metrics) AssertExact(images, texts, metric, [0, 1e-17, 1e-16, 1e-15]);
    }

    /// <summary>Grid-valued sets where many distances coincide, mixed with tolerances on them, through
    /// FsCheck.</summary>
    [Property(MaxTest = 60)]
    public Property GridTies_EqualTheExactAnswer(PositiveInt seed)
    {
        var random = new Random(seed.Get);
        int d = Dimensions[random.Next(Dimensions.Length - 3)];
        bool wide = random.Next(2) == 0;
        double unit = Math.ScaleB(1, random.Next(-40, 40));
        EmbeddingSet Grid(int n)
        {
            var v = Enumerable.Range(0, n * d).Select(_ => random.Next(-3, 4) * unit).ToArray();
            return wide ? new EmbeddingSet(v, n, d) : new EmbeddingSet(Array.ConvertAll(v, x => (float)x), n, d);
        }
        var images = Grid(random.Next(1, 12));
        var texts = Grid(random.Next(1, 12));
        var metric = Metrics[random.Next(3)];
        if (metric != FiberMetric.Euclidean && (HasZero(images) || HasZero(texts))) return true.ToProperty();
        var tolerances = BoundaryTolerances(images, texts, metric, random, 5);
        AssertExact(images, texts, metric, tolerances);
        return true.ToProperty();
    }

    private static bool HasZero(EmbeddingSet set) => Enumerable.Range(0, set.Count).Any(i => set.SquaredNorm(i) == 0);

    [Fact]
    public void Profile_WithInfiniteOrOverflowingTolerances_IsExact()
    {
        // The reported case: ε the pair's exact distance, with ∞ beside it in the list.
        var images = new EmbeddingSet([-0.75f, 1.25f, -1.0f], 1, 3);
        var texts = new EmbeddingSet([-0.8347487449645996f, 1.2386871576309204f, -0.9416660070419312f], 1, 3);
        const double epsilon = 0.10350451637476703;
        var product = new ApproximateFiberProduct(images, texts);
        Assert.Equal(product.Count(epsilon), product.Profile([epsilon, double.PositiveInfinity]).Counts[0]);
        Assert.Equal(product.Profile([epsilon, 1]).Counts[0],
            product.Profile([epsilon, double.PositiveInfinity]).Counts[0]);
        Assert.Equal(BruteForce.Count(images, texts, epsilon), product.Count(epsilon));

        // Random lists mixing ∞, 0, overflowing squares and boundary tolerances, at extreme magnitudes too.
        var random = new Random(135);
        foreach (float scale in new[] { 1e-30f, 1f, 1e30f })
            foreach (var metric in Metrics)
            {
                var x = Sets.Random(random, 20, 7, scale);
                var y = Sets.Random(random, 15, 7, scale);
                var list = BoundaryTolerances(x, y, metric, random, 6)
                    .Concat([0, double.PositiveInfinity, 1e155, 1e300, double.MaxValue])
                    .OrderBy(_ => random.Next()).ToArray();
                var fiber = new ApproximateFiberProduct(x, y, metric);
                var counts = fiber.Profile(list).Counts.ToArray();
                for (int t = 0; t < list.Length; t++) Assert.Equal(BruteForce.Count(x, y, list[t], metric), counts[t]);
            }
    }

    [Fact]
    public void ReportedDistances_LieInTheirProvenInterval()
    {
        var random = new Random(136);
        foreach (var metric in Metrics)
        {
            var images = Doubles(random, 30, 40, 1);
            var texts = Doubles(random, 30, 40, 1);
            var product = new ApproximateFiberProduct(images, texts, metric);
            foreach (double epsilon in BoundaryTolerances(images, texts, metric, random, 10))
                foreach (var pair in product.Pairs(epsilon))
                {
                    Assert.InRange(pair.Distance, 0, epsilon);
                    if (metric == FiberMetric.Cosine) Assert.InRange(pair.Distance, 0, 2);
                }
        }
    }

    [Fact]
    public void Float64Files_KeepTheirPrecision_AndFloat16IsWidenedExactly()
    {
        var random = new Random(137);
        var values = Enumerable.Range(0, 40 * 6).Select(_ => random.NextDouble() - 0.5).ToArray();
        string path = Path.Combine(Path.GetTempPath(), $"fp-{Guid.NewGuid():N}.npy");
        try
        {
            Npy.Write(path, new NpyArray(values, 40, 6));
            var set = EmbeddingSet.Load(path);
            Assert.Equal(EmbeddingPrecision.Float64, set.Precision);
            Assert.Equal(values, set.DoubleValues.ToArray());
            Assert.Throws<InvalidOperationException>(() => set.Values.Length);
            // The count at ε = a float64 pair distance equals the exact answer; a float32 narrowing would not need to.
            var texts = Doubles(random, 30, 6, 0.5);
            AssertExact(set, texts, FiberMetric.Euclidean,
                BoundaryTolerances(set, texts, FiberMetric.Euclidean, random, 20));
            var narrowed = set.ToSingle();
            Assert.Equal(EmbeddingPrecision.Float32, narrowed.Precision);
            Assert.Equal(Array.ConvertAll(values, v => (float)v), narrowed.Values.ToArray());
            Assert.Equal(values.Select(v => (double)(float)v), narrowed.ToDouble().DoubleValues.ToArray());
        }
        finally { File.Delete(path); }
        var half = EmbeddingSet.FromArray(new NpyArray(new float[] { 0.5f, -2f, 65504f, 6.1035156e-05f }, 2, 2));
        Assert.Equal(EmbeddingPrecision.Float32, half.Precision);
        var ints = Assert.Throws<ArgumentException>(
            () => EmbeddingSet.FromArray(new NpyArray(new long[] { 1, 2, 3, 4 }, 2, 2)));
        Assert.Contains("Int64", ints.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NonFiniteFloat64Values_AreRefused_NamingSetRowAndColumn(double bad)
    {
        var values = new double[12];
        values[2 * 3 + 1] = bad;
        var e = Assert.Throws<ArgumentException>(() => new EmbeddingSet(values, 4, 3));
        Assert.Contains("row 2, column 1", e.Message, StringComparison.Ordinal);
        Assert.Equal("values", e.ParamName);
        var pair = new double[2 * 4 * 3];
        pair[12 + 5] = bad;
        var split = Assert.Throws<ArgumentException>(() => EmbeddingSet.SplitModalities(new NpyArray(pair, 2, 4, 3)));
        Assert.Contains("the texts", split.Message, StringComparison.Ordinal);
        Assert.Contains("row 1, column 2", split.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Float64RoundingRadii_AreCounted_WhereTheyExceedTheDotProductMargin()
    {
        // Large images against tiny texts: the images' float32 rounding (about 2^-24·‖x‖) dwarfs the dot product's
        // error bound (about d·2^-24·‖x‖‖y‖/‖x − y‖ ≈ d·2^-24·‖y‖), so a filter that ignored
        // the rounding would call pairs sure that are not in F_ε, or skip pairs that are.
        var random = new Random(140);
        foreach (int d in new[] { 1, 2, 3, 8, 17 })
        {
            var images = Doubles(random, 40, d, 1000);
            var texts = Doubles(random, 30, d, 1e-3);
            var tolerances = BoundaryTolerances(images, texts, FiberMetric.Euclidean, random, 6)
                .SelectMany(e => new[] { e, e * (1 + 1e-9), e * (1 - 1e-9), e * (1 + 1e-7), e * (1 - 1e-7) }).ToArray();
            AssertExact(images, texts, FiberMetric.Euclidean, tolerances);
        }
    }

    [Fact]
    public void MixedPrecisions_AreJoinedInFloat64()
    {
        var random = new Random(138);
        var images = Sets.Random(random, 20, 12);
        var texts = Doubles(random, 25, 12, 1);
        var widened = images.ToDouble();
        foreach (double epsilon in BoundaryTolerances(widened, texts, FiberMetric.Euclidean, random, 10))
            Assert.Equal(BruteForce.Pairs(widened, texts, epsilon),
                new ApproximateFiberProduct(images, texts).Pairs(epsilon).ToList());
    }

    [Fact]
    public void PrunedFloat64Join_EqualsTheExactAnswer()
    {
        var random = new Random(139);
        var images = Doubles(random, 300, 48, 1);
        var texts = Doubles(random, 280, 48, 1);
        var options = new FiberProductOptions { Pruning = PruningMode.Always };
        AssertExact(images, texts, FiberMetric.Euclidean,
            BoundaryTolerances(images, texts, FiberMetric.Euclidean, random, 3), options);
    }

    internal static EmbeddingSet Doubles(Random random, int count, int dimension, double scale)
    {
        var values = new double[count * dimension];
        for (int i = 0; i < values.Length; i++) values[i] = (random.NextDouble() * 2 - 1) * scale;
        return new EmbeddingSet(values, count, dimension);
    }
}
