using FiberProduct.Embedding;
using FiberProduct.Fiber;

namespace FiberProduct.Tests.Fiber;

/// <summary>
/// The engine against the float64 brute force, pair for pair and distance for distance, on inputs chosen to break
/// it: sizes around the tile and panel widths, d from 1 to 2049, points exactly at distance ε, duplicates, huge and
/// tiny magnitudes, ε = 0, tiny, huge and infinite.
/// </summary>
public class ApproximateFiberProductTests
{
    private static void AssertSamePairs(List<FiberPair> expected, PairSet actual)
    {
        Assert.False(actual.IsTruncated);
        Assert.Equal(expected.Count, actual.PairCount);
        Assert.Equal(expected, actual.ToList());
    }

    public static TheoryData<int, int, int> Shapes => new()
    {
        { 0, 5, 3 }, { 5, 0, 3 }, { 1, 1, 1 }, { 1, 17, 2 }, { 13, 1, 5 }, { 11, 15, 7 }, { 12, 16, 8 }, { 13, 17, 9 },
        { 25, 33, 16 }, { 24, 32, 17 }, { 37, 49, 31 }, { 50, 70, 64 }, { 23, 40, 100 },
        { 20, 21, 513 }, { 7, 9, 2049 },
        // The edge counts again where pruning runs (it refuses d < 16).
        { 0, 5, 16 }, { 1, 1, 16 }, { 1, 17, 18 }, { 13, 1, 20 }, { 11, 15, 23 }, { 12, 16, 24 }, { 13, 17, 25 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Pairs_EqualBruteForce_AtManyEpsilons(int n, int m, int d)
    {
        var random = new Random(n * 1000 + m * 10 + d);
        var images = Sets.Random(random, n, d);
        var texts = Sets.Random(random, m, d);
        var distances = BruteForce.AllDistances(images, texts);
        Array.Sort(distances);
        // Tolerances that are themselves pair distances put pairs exactly on the boundary.
        var epsilons = new List<double> { 0, 1e-300, double.Epsilon, 1e300, double.PositiveInfinity };
        if (distances.Length > 0)
            epsilons.AddRange([distances[0], distances[distances.Length / 3], distances[distances.Length / 2],
                distances[^1], Math.BitDecrement(distances[distances.Length / 2])]);
        foreach (var product in PruningTests.Variants(images, texts))
        {
            foreach (double epsilon in epsilons)
            {
                var expected = BruteForce.Pairs(images, texts, epsilon);
                AssertSamePairs(expected, product.Pairs(epsilon));
                Assert.Equal(expected.Count, product.Count(epsilon));
            }
            PruningTests.AssertPruningRan(product, 1);
        }
    }

    [Fact]
    public void PointsAtExactlyEpsilon_AreIncluded_AndJustBeyond_Excluded()
    {
        // Integer coordinates: x − y = (3, 4, 0, …) has distance exactly 5, representable and computed exactly.
        const int d = 40;
        var x = new float[d]; var y = new float[d];
        for (int k = 0; k < d; k++) x[k] = y[k] = k % 7;
        y[0] += 3; y[1] += 4;
        var images = new EmbeddingSet(x, 1, d);
        var texts = new EmbeddingSet(y, 1, d);
        var product = new ApproximateFiberProduct(images, texts);
        Assert.Equal(1, product.Count(5));
        Assert.Equal(0, product.Count(Math.BitDecrement(5.0)));
        Assert.Equal(5.0, product.Pairs(5).Distances[0]);
    }

    [Fact]
    public void Duplicates_FormTheClassicalFiberProduct()
    {
        var random = new Random(3);
        var images = Sets.Random(random, 30, 24);
        // Texts: every third image repeated (twice for some), plus noise rows and one row 1 ulp away from an image.
        var rows = new List<float[]>();
        for (int i = 0; i < 30; i += 3) { rows.Add(images.Row(i).ToArray()); rows.Add(images.Row(i).ToArray()); }
        var nudged = images.Row(1).ToArray(); nudged[5] = MathF.BitIncrement(nudged[5]); rows.Add(nudged);
        var negativeZero = images.Row(2).ToArray(); negativeZero[0] = 0; rows.Add(negativeZero);
        var image2 = images.Row(2).ToArray(); image2[0] = -0f;
        rows.AddRange(Enumerable.Range(0, 5).Select(_ => Sets.Random(random, 1, 24).Row(0).ToArray()));
        var texts = EmbeddingSet.FromRows(rows);
        var imagesWithZero = EmbeddingSet.FromRows(Enumerable.Range(0, 30)
            .Select(i => i == 2 ? image2 : images.Row(i).ToArray()).ToList());

        var product = new ApproximateFiberProduct(imagesWithZero, texts);
        var expected = BruteForce.Pairs(imagesWithZero, texts, 0);
        Assert.Equal(21, expected.Count); // 10 images × 2 copies, and −0 = +0
        AssertSamePairs(expected, product.ClassicalFiberProduct());
        var hashed = ApproximateFiberProduct.ExactMatches(imagesWithZero, texts);
        Assert.Equal(expected.Select(p => (p.Image, p.Text)), hashed.Select(p => (p.Image, p.Text)));
        Assert.Equal(1, product.Count(1e-6) - product.Count(0)); // the 1-ulp neighbour appears just above 0
    }

    [Theory]
    [InlineData(1e30f)]
    [InlineData(1e-30f)]
    [InlineData(3e37f)]
    [InlineData(1e-40f)]
    public void ExtremeMagnitudes_AreExact(float scale)
    {
        var random = new Random(9);
        var images = Sets.Random(random, 19, 33, scale);
        var rows = Enumerable.Range(0, 23).Select(j => j < 5 ? images.Row(j).ToArray()
            : Sets.Random(random, 1, 33, scale).Row(0).ToArray()).ToList();
        var texts = EmbeddingSet.FromRows(rows);
        var distances = BruteForce.AllDistances(images, texts);
        Array.Sort(distances);
        // subnormal coordinates (1e-40) run through the pruning heads too
        foreach (var product in PruningTests.Variants(images, texts))
        {
            foreach (double epsilon in new[] { 0, distances[distances.Length / 4],
                distances[distances.Length / 2], distances[^1] })
                AssertSamePairs(BruteForce.Pairs(images, texts, epsilon), product.Pairs(epsilon));
            PruningTests.AssertPruningRan(product, distances[distances.Length / 2]);
        }
    }

    [Fact]
    public void LargestMagnitude_IsTakenWithoutSign()
    {
        // The images' extreme value is negative and huge, the texts' tiny: a scale chosen from the texts alone would
        // overflow the images' working copy and lose every pair of its row.
        var images = new EmbeddingSet([-1e30f, 0, 1e-30f, 0], 2, 2);
        var texts = new EmbeddingSet([1e-30f, 0, 2e-30f, 0], 2, 2);
        foreach (var product in PruningTests.Variants(images, texts))
            foreach (double epsilon in new[] { 1e-30, 1e31 })
                AssertSamePairs(BruteForce.Pairs(images, texts, epsilon), product.Pairs(epsilon));
    }

    [Theory]
    [InlineData(1e20f)]
    [InlineData(1e8f)]
    public void MixedMagnitudes_AreExact(float large)
    {
        var random = new Random(10);
        var values = new float[40 * 20];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(random.NextDouble() - 0.5) * (i % 3 == 0 ? large : i % 3 == 1 ? 1f : 1f / large);
        var images = new EmbeddingSet(values.AsSpan(0, 400), 20, 20);
        var texts = new EmbeddingSet(values.AsSpan(400), 20, 20);
        var distances = BruteForce.AllDistances(images, texts);
        Array.Sort(distances);
        foreach (var product in PruningTests.Variants(images, texts))
        {
            foreach (double epsilon in distances.Where((_, k) => k % 37 == 0))
                AssertSamePairs(BruteForce.Pairs(images, texts, epsilon), product.Pairs(epsilon));
            PruningTests.AssertPruningRan(product, distances[distances.Length / 2]);
        }
    }

    [Theory]
    [InlineData(FiberMetric.Cosine)]
    [InlineData(FiberMetric.Angular)]
    public void AngularMetrics_EqualBruteForce(FiberMetric metric)
    {
        var random = new Random((int)metric);
        var images = Sets.Clustered(random, 41, 48, 0.3);
        var texts = EmbeddingSet.FromRows(Enumerable.Range(0, 37)
            .Select(j => j % 9 == 0 ? images.Row(j).ToArray() : Sets.Clustered(random, 1, 48, 0.3).Row(0).ToArray())
            .ToList());
        var distances = BruteForce.AllDistances(images, texts, metric);
        Array.Sort(distances);
        double[] epsilons = [0, distances[10], distances[distances.Length / 2],
            Math.BitDecrement(distances[distances.Length / 2]), distances[^1], 2.5, Math.PI, double.PositiveInfinity];
        foreach (var product in PruningTests.Variants(images, texts, metric: metric))
        {
            var profile = product.Profile(epsilons);
            for (int t = 0; t < epsilons.Length; t++)
            {
                var expected = BruteForce.Pairs(images, texts, epsilons[t], metric);
                AssertSamePairs(expected, product.Pairs(epsilons[t]));
                Assert.Equal(expected.Count, product.Count(epsilons[t]));
                Assert.Equal(expected.Count, profile.Counts[t]);
            }
            PruningTests.AssertPruningRan(product, distances[distances.Length / 2]);
        }
    }

    [Fact]
    public void AngularMetrics_RejectZeroRows()
    {
        var images = new EmbeddingSet(new float[] { 1, 0, 0, 0 }, 2, 2);
        var texts = new EmbeddingSet(new float[] { 1, 1 }, 1, 2);
        var e = Assert.Throws<ArgumentException>(() => new ApproximateFiberProduct(images, texts, FiberMetric.Cosine));
        Assert.Contains("Row 1 of images", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadArguments_AreRejected_NamingTheArgument()
    {
        var images = new EmbeddingSet(new float[6], 2, 3);
        var texts = new EmbeddingSet(new float[4], 2, 2);
        Assert.Throws<ArgumentException>(() => new ApproximateFiberProduct(images, texts));
        var product = new ApproximateFiberProduct(images, new EmbeddingSet(new float[6], 2, 3));
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => product.Count(-1)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => product.Pairs(double.NaN)).ParamName);
        Assert.Throws<ArgumentException>(() => product.PairsPerImageTolerance([1.0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => product.PairsPerImageTolerance([1.0, -2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => product.NearestWithin(1, 0));
        Assert.Throws<ArgumentException>(() => product.Profile([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ApproximateFiberProduct(images, images,
            options: new FiberProductOptions { MaxDegreeOfParallelism = 0 }));
    }

    [Fact]
    public void PerImageTolerances_EqualBruteForce()
    {
        var random = new Random(12);
        var images = Sets.Clustered(random, 61, 20, 0.4);
        var texts = Sets.Clustered(random, 45, 20, 0.4);
        var tolerances = Enumerable.Range(0, 61).Select(i => 0.3 + 0.6 * random.NextDouble()).ToArray();
        // one exactly on its boundary
        tolerances[3] = BruteForce.Distance(FiberMetric.Euclidean, images.Row(3), texts.Row(7));
        var product = new ApproximateFiberProduct(images, texts);
        AssertSamePairs(BruteForce.Pairs(images, texts, i => tolerances[i]),
            product.PairsPerImageTolerance(tolerances));
    }

    [Fact]
    public void NearestWithin_KeepsTheKNearestOfEachRow()
    {
        var random = new Random(13);
        var images = Sets.Clustered(random, 30, 16, 0.5);
        var texts = EmbeddingSet.FromRows(Enumerable.Range(0, 50)
            .Select(j => j < 10 ? images.Row(j).ToArray() : Sets.Clustered(random, 1, 16, 0.5).Row(0).ToArray())
            .ToList());
        var product = new ApproximateFiberProduct(images, texts);
        foreach (int k in new[] { 1, 3, 100 })
        {
            double epsilon = 0.9;
            var expected = BruteForce.Pairs(images, texts, epsilon)
                .GroupBy(p => p.Image)
                .SelectMany(g => g.OrderBy(p => p.Distance).ThenBy(p => p.Text).Take(k).OrderBy(p => p.Text))
                .ToList();
            AssertSamePairs(expected, product.NearestWithin(epsilon, k));
        }
    }

    [Fact]
    public void Profile_EqualsCountAtEveryTolerance_AndDistributionIsExact()
    {
        var random = new Random(14);
        var images = Sets.Clustered(random, 70, 30, 0.35);
        var texts = Sets.Clustered(random, 53, 30, 0.35);
        var product = new ApproximateFiberProduct(images, texts);
        var all = BruteForce.AllDistances(images, texts);
        Array.Sort(all);
        // unsorted, repeated, on boundaries
        double[] epsilons = [all[100], 0.2, all[2000], all[0], 0.0, all[^1], 0.5, all[2000]];
        var profile = product.Profile(epsilons, includeDistances: true);
        for (int t = 0; t < epsilons.Length; t++)
        {
            Assert.Equal(BruteForce.Count(images, texts, epsilons[t]), profile.Counts[t]);
            // The distances agree with the counts at every given tolerance, and with the float64 distances to rounding.
            Assert.Equal(profile.Counts[t], profile.SortedDistances.ToArray().Count(x => x <= epsilons[t]));
        }
        Assert.Equal(epsilons, profile.Epsilons.ToArray());
        var expected = BruteForce.Pairs(images, texts, all[^1]).Select(p => p.Distance).Order().ToArray();
        Assert.Equal(expected.Length, profile.SortedDistances.Length);
        for (int p = 0; p < expected.Length; p++) Assert.Equal(expected[p], profile.SortedDistances[p], 1e-12);
        Assert.False(product.Profile([0.3]).HasDistances);
    }

    [Fact]
    public void EnumeratePairs_StreamsTheSamePairs()
    {
        var random = new Random(15);
        var images = Sets.Clustered(random, 300, 12, 0.5);
        var texts = Sets.Clustered(random, 40, 12, 0.5);
        var product = new ApproximateFiberProduct(images, texts);
        Assert.Equal(product.Pairs(0.8).ToList(), product.EnumeratePairs(0.8).ToList());
        var visited = new List<FiberPair>();
        product.ForEachPair(0.8, visited.Add);
        Assert.Equal(product.Pairs(0.8).ToList(), visited);
    }

    [Fact]
    public void Budget_ThrowsOrTruncatesToTheFirstPairs()
    {
        var random = new Random(16);
        var images = Sets.Clustered(random, 500, 8, 0.6);
        var texts = Sets.Clustered(random, 40, 8, 0.6);
        var full = new ApproximateFiberProduct(images, texts).Pairs(1.1);
        Assert.True(full.PairCount > 1000);
        var strict = new ApproximateFiberProduct(images, texts, options: new FiberProductOptions { MaxPairs = 1000 });
        var e = Assert.Throws<ResultBudgetExceededException>(() => strict.Pairs(1.1));
        Assert.Equal(1000, e.MaxPairs);
        foreach (int threads in new[] { 1, 2, 3, 8 })
            foreach (long max in new long[] { 1, 999, 1000, full.PairCount - 1 })
            {
                // Bands of rows until the budget is met: the first pairs in (row, column) order, whatever the workers.
                var truncating = new ApproximateFiberProduct(images, texts,
                    options: new FiberProductOptions { MaxPairs = max, TruncateAtBudget = true,
                        MaxDegreeOfParallelism = threads });
                var truncated = truncating.Pairs(1.1);
                Assert.True(truncated.IsTruncated);
                Assert.Equal(full.Take((int)max).ToList(), truncated.ToList());
                Assert.Equal(max, truncated.RowOffsets[^1]);
                var perImage = truncating.PairsPerImageTolerance(Enumerable.Repeat(1.1, images.Count).ToArray());
                Assert.Equal(truncated.ToList(), perImage.ToList());
            }
        var exactlyAll = new ApproximateFiberProduct(images, texts,
            options: new FiberProductOptions { MaxPairs = full.PairCount, TruncateAtBudget = true });
        Assert.False(exactlyAll.Pairs(1.1).IsTruncated); // the budget met but not exceeded
        Assert.Equal(full.ToList(), exactlyAll.Pairs(1.1).ToList());
        Assert.Equal(full.PairCount, strict.Count(1.1)); // counting is not bounded by the budget
    }

    [Fact]
    public void Results_DoNotDependOnThreadCount()
    {
        var random = new Random(17);
        var images = Sets.Clustered(random, 257, 40, 0.4);
        var texts = Sets.Clustered(random, 131, 40, 0.4);
        var reference = new ApproximateFiberProduct(images, texts,
            options: new FiberProductOptions { MaxDegreeOfParallelism = 1 }).Pairs(0.75);
        foreach (int threads in new[] { 2, 3, 8 })
        {
            var pairs = new ApproximateFiberProduct(images, texts,
                options: new FiberProductOptions { MaxDegreeOfParallelism = threads }).Pairs(0.75);
            Assert.Equal(reference.RowOffsets.ToArray(), pairs.RowOffsets.ToArray());
            Assert.Equal(reference.Columns.ToArray(), pairs.Columns.ToArray());
            Assert.Equal(reference.Distances.ToArray(), pairs.Distances.ToArray());
        }
    }

    [Fact]
    public void Cancellation_StopsTheQuery()
    {
        var random = new Random(18);
        var product = new ApproximateFiberProduct(Sets.Random(random, 400, 64), Sets.Random(random, 400, 64));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => product.Count(1, cancellationToken: cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => product.Pairs(1, cancellationToken: cancelled.Token));
    }

    [Fact]
    public void Progress_TracksTheWork()
    {
        // Not only the final 1 (which every query reports on return): fractions that grow with the work done, with
        // several steps below 1 and the last of them past half way, on every query that reports progress.
        var random = new Random(19);
        var product = new ApproximateFiberProduct(Sets.Random(random, 3000, 16), Sets.Random(random, 700, 16),
            options: new FiberProductOptions { MaxDegreeOfParallelism = 2, Pruning = PruningMode.Never });
        foreach (var query in new Action<IProgress<double>>[]
        {
            p => product.Count(0.5, p), p => product.Pairs(0.5, p), p => product.Profile([0.3, 0.5], progress: p),
            p => product.NearestWithin(0.5, 3, p),
        })
        {
            var reports = new List<double>();
            query(new SynchronousProgress(reports));
            Assert.Equal(reports.Order(), reports);
            Assert.Equal(1, reports[^1]);
            var before = reports.Where(r => r < 1).ToList();
            Assert.True(before.Count >= 3 && before[^1] >= 0.5,
                $"Reports before the end: {string.Join(", ", before)}.");
        }
    }

    private sealed class SynchronousProgress(List<double> reports) : IProgress<double>
    {
        public void Report(double value) { lock (reports) reports.Add(value); }
    }
}
