using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber;
using FiberProduct.Fiber.Kernels;
using FiberProduct.Fiber.Pruning;

namespace FiberProduct.Tests.Fiber;

/// <summary>
/// Exact pruning never changes an answer: every query equals float64 brute force with pruning forced on (at several
/// head dimensions, including the norm bound alone) and forced off, on data where the bounds bite and where they do
/// not, whatever the thread count.
/// </summary>
public class PruningTests
{
    /// <summary>The product under every pruning setting worth distinguishing.</summary>
    public static IEnumerable<ApproximateFiberProduct> Variants(EmbeddingSet images, EmbeddingSet texts,
        int threads = -1, FiberMetric metric = FiberMetric.Euclidean)
    {
        yield return new ApproximateFiberProduct(images, texts, metric,
            new FiberProductOptions { Pruning = PruningMode.Never, MaxDegreeOfParallelism = threads });
        yield return new ApproximateFiberProduct(images, texts, metric,
            new FiberProductOptions { Pruning = PruningMode.Always, MaxDegreeOfParallelism = threads });
        foreach (int k in new[] { 0, 1, 8, 40 })
            yield return new ApproximateFiberProduct(images, texts, metric,
                new FiberProductOptions { PruningDimension = k, MaxDegreeOfParallelism = threads });
    }

    /// <summary>
    /// Whether a query at a finite <paramref name="epsilon"/> ran as the variant asks: pruned when it forces pruning,
    /// unless the sets are of a kind pruning refuses by design (d below 16, magnitudes past 2^30, an empty side, a zero
    /// row under a cosine metric), and never prepared when it does not force it. The variants must not silently
    /// test the plain join six times.
    /// </summary>
    internal static bool PruningRan(ApproximateFiberProduct product, double epsilon)
    {
        product.Count(epsilon);
        bool forced = product.Options.Pruning == PruningMode.Always || product.Options.PruningDimension is not null;
        if (!forced) return product.LastPruning is null;
        var (images, texts) = (product.Images, product.Texts);
        bool zeroRow = Enumerable.Range(0, images.Count).Any(i => images.SquaredNorm(i) == 0)
            || Enumerable.Range(0, texts.Count).Any(j => texts.SquaredNorm(j) == 0);
        bool refused = images.Dimension < PruningPlanner.MinDimension || images.Count == 0 || texts.Count == 0
            || (product.Metric == FiberMetric.Euclidean
                ? Math.Max(images.MaxMagnitude, texts.MaxMagnitude) > PruningPlanner.MaxMagnitude : zeroRow)
            || NoSpread(images, texts);
        return refused ? product.LastPruning is null : product.LastPruning is { Pruned: true };
    }

    /// <summary>Every row of both sets is one and the same vector: no axis carries any distance, so none is
    /// chosen.</summary>
    private static bool NoSpread(EmbeddingSet images, EmbeddingSet texts)
    {
        var first = images.RowAsDouble(0);
        return Enumerable.Range(0, images.Count).All(i => images.RowAsDouble(i).SequenceEqual(first))
            && Enumerable.Range(0, texts.Count).All(j => texts.RowAsDouble(j).SequenceEqual(first));
    }

    /// <summary>Asserts <see cref="PruningRan"/>.</summary>
    internal static void AssertPruningRan(ApproximateFiberProduct product, double epsilon) =>
        Assert.True(PruningRan(product, epsilon),
            $"pruning {(product.LastPruning is null ? "was not prepared" : "prepared but did not run")} " +
            $"({product.Options.Pruning}, k = {product.Options.PruningDimension}) on "
            + $"{product.Images.Count}×{product.Texts.Count}×{product.Images.Dimension}");

    /// <summary>Low-rank clustered data with a modality gap, like real embeddings: the bounds skip most
    /// tiles.</summary>
    private static (EmbeddingSet Images, EmbeddingSet Texts) Structured(int seed, int n, int m, int d, int rank)
    {
        var random = new Random(seed);
        var basis = Enumerable.Range(0, rank).Select(_ => Enumerable.Range(0, d)
            .Select(_ => random.NextDouble() * 2 - 1).ToArray()).ToArray();
        var centres = Enumerable.Range(0, 12).Select(_ => Enumerable.Range(0, rank)
            .Select(_ => random.NextDouble() * 4 - 2).ToArray()).ToArray();
        EmbeddingSet Make(int count, double shift)
        {
            var values = new float[count * d];
            for (int i = 0; i < count; i++)
            {
                var centre = centres[random.Next(centres.Length)];
                for (int r = 0; r < rank; r++)
                {
                    double coefficient = centre[r] + 0.3 * (random.NextDouble() - 0.5);
                    for (int c = 0; c < d; c++) values[i * d + c] += (float)(coefficient * basis[r][c] / Math.Sqrt(d));
                }
                for (int c = 0; c < d; c++)
                    values[i * d + c] += (float)(0.01 * (random.NextDouble() - 0.5) + (c == 0 ? shift : 0));
            }
            return new EmbeddingSet(values, count, d);
        }
        return (Make(n, 0.2), Make(m, -0.2));
    }

    /// <summary>Structured data and the tolerance holding a given fraction of all pairs.</summary>
    private static (EmbeddingSet Images, EmbeddingSet Texts, double Epsilon) StructuredAt(int seed, int n, int m, int d,
        int rank, double fraction, FiberMetric metric = FiberMetric.Euclidean)
    {
        var (images, texts) = Structured(seed, n, m, d, rank);
        var distances = BruteForce.AllDistances(images, texts, metric);
        Array.Sort(distances);
        return (images, texts, distances[(int)(distances.Length * fraction)]);
    }

    public static TheoryData<int, int, int, int> Shapes => new()
    {
        { 1, 1, 16, 2 }, { 13, 17, 16, 3 }, { 40, 33, 17, 4 }, { 120, 150, 64, 6 },
            { 250, 200, 100, 8 }, { 61, 47, 513, 5 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryQuery_EqualsBruteForce_WithPruningOnAndOff(int n, int m, int d, int rank)
    {
        foreach (var metric in Enum.GetValues<FiberMetric>())
            EveryQuery(n, m, d, rank, metric);
    }

    private static void EveryQuery(int n, int m, int d, int rank, FiberMetric metric)
    {
        var (images, texts) = Structured(n * 31 + m, n, m, d, rank);
        var distances = BruteForce.AllDistances(images, texts, metric);
        Array.Sort(distances);
        var epsilons = new List<double> { 0, distances[0], distances[distances.Length / 50],
            distances[distances.Length / 5], Math.BitDecrement(distances[distances.Length / 5]), distances[^1] * 2 };
        var perImage = Enumerable.Range(0, n).Select(i => distances[(i * 7919) % distances.Length]).ToArray();
        foreach (var product in Variants(images, texts, metric: metric))
        {
            foreach (double epsilon in epsilons)
            {
                var expected = BruteForce.Pairs(images, texts, epsilon, metric);
                Assert.Equal(expected, product.Pairs(epsilon).ToList());
                Assert.Equal(expected.Count, product.Count(epsilon));
                var nearest = product.NearestWithin(epsilon, 3);
                Assert.Equal(NearestByBruteForce(expected, 3), nearest.ToList());
            }
            var profile = product.Profile([.. epsilons], includeDistances: true);
            Assert.Equal(epsilons.Select(e => (long)BruteForce.Pairs(images, texts, e, metric).Count),
                profile.Counts.ToArray());
            // Distances agree with the counts at every tolerance, and with the float64 distances to rounding.
            var all = BruteForce.Pairs(images, texts, epsilons.Max(), metric).Select(p => p.Distance).Order().ToArray();
            Assert.Equal(all.Length, profile.SortedDistances.Length);
            for (int p = 0; p < all.Length; p++) Assert.Equal(all[p], profile.SortedDistances[p], 1e-12);
            for (int t = 0; t < epsilons.Count; t++)
                Assert.Equal(profile.Counts[t], profile.SortedDistances.ToArray().Count(x => x <= epsilons[t]));
            var expectedPerImage = BruteForce.Pairs(images, texts, i => perImage[i], metric);
            Assert.Equal(expectedPerImage, product.PairsPerImageTolerance(perImage).ToList());
            AssertPruningRan(product, distances[distances.Length / 5]);
        }
    }

    [Fact]
    public void OnStructuredData_MostTilesAreSkipped()
    {
        var (images, texts, epsilon) = StructuredAt(5, 600, 640, 96, 6, 1.0 / 200);
        var product = new ApproximateFiberProduct(images, texts,
            options: new FiberProductOptions { Pruning = PruningMode.Always });
        Assert.Equal(BruteForce.Pairs(images, texts, epsilon), product.Pairs(epsilon).ToList());
        var plan = product.LastPruning!;
        Assert.True(plan.Dimension > 0, "the cost model chose a head dimension");
        Assert.True(plan.Skipped > 2 * plan.Computed, $"skipped {plan.Skipped}, computed {plan.Computed}");
    }

    [Theory]
    [InlineData(FiberMetric.Cosine)]
    [InlineData(FiberMetric.Angular)]
    public void CosineAndAngular_ArePrunedThroughTheChord(FiberMetric metric)
    {
        var (images, texts, epsilon) = StructuredAt(6, 500, 520, 80, 6, 1.0 / 200, metric);
        var product = new ApproximateFiberProduct(images, texts, metric,
            new FiberProductOptions { Pruning = PruningMode.Always });
        Assert.Equal(BruteForce.Pairs(images, texts, epsilon, metric), product.Pairs(epsilon).ToList());
        var plan = product.LastPruning!;
        Assert.True(plan.Skipped > plan.Computed, $"skipped {plan.Skipped}, computed {plan.Computed}");
    }

    [Fact]
    public void Checkpoint_SkipsTiles_AndKeepsPairsAtExactlyEpsilon()
    {
        // Points near a 6-dimensional subspace of R^64 (off it by 10^-4): the leading head coordinates up to the
        // checkpoint (half of k, k at most the 40 asked for) carry all but 10^-4 of the distance, so the checkpoint
        // decides the tiles, and the closest pairs sit on its boundary at ε = their distance.
        var random = new Random(12);
        var basis = Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, 64)
            .Select(_ => random.NextDouble() * 2 - 1).ToArray()).ToArray();
        EmbeddingSet Make(int count) => EmbeddingSet.FromRows(Enumerable.Range(0, count).Select(_ =>
        {
            var w = basis.Select(_ => random.NextDouble() * 2 - 1).ToArray();
            return Enumerable.Range(0, 64)
                .Select(c => (float)(Enumerable.Range(0, 6)
                    .Sum(r => w[r] * basis[r][c]) + 1e-4 * (random.NextDouble() - 0.5))).ToArray();
        }).ToList());
        var (images, texts) = (Make(300), Make(320));
        var distances = BruteForce.AllDistances(images, texts);
        Array.Sort(distances);
        var product = new ApproximateFiberProduct(images, texts,
            options: new FiberProductOptions { PruningDimension = 40 });
        foreach (double epsilon in distances.Take(40).Append(distances[distances.Length / 100]))
            Assert.Equal(BruteForce.Pairs(images, texts, epsilon), product.Pairs(epsilon).ToList());
        var plan = product.LastPruning!;
        Assert.InRange(plan.Checkpoint, 6, plan.Dimension / 2);
        Assert.True(plan.Skipped > plan.Computed, $"skipped {plan.Skipped}, computed {plan.Computed}");
        Assert.True(plan.PassedCheckpoint < plan.Skipped + plan.Computed,
            $"{plan.PassedCheckpoint} of {plan.Skipped + plan.Computed} tiles passed the checkpoint");
    }

    [Fact]
    public void Pruning_IsDeterministic_WhateverTheThreadCount()
    {
        var (images, texts, epsilon) = StructuredAt(9, 300, 280, 48, 5, 1.0 / 20);
        var reference = BruteForce.Pairs(images, texts, epsilon);
        foreach (int threads in new[] { 1, 2, 3, 7 })
            foreach (var product in Variants(images, texts, threads))
            {
                var pairs = product.Pairs(epsilon);
                Assert.Equal(reference, pairs.ToList());
                Assert.Equal(reference.Select(p => BitConverter.DoubleToInt64Bits(p.Distance)),
                    pairs.Distances.ToArray().Select(BitConverter.DoubleToInt64Bits));
                AssertPruningRan(product, epsilon);
            }
    }

    [Fact]
    public void UniformData_AutoDeclines_AndForcedPruningStaysExact()
    {
        // Independent uniform points of S^31 at a tolerance near the typical distance: no bound can separate them.
        // Auto's decline is asked of the planner (the product would not plan it at all below N·M·d = 2^34); it comes
        // from sampled pairs before any tile is sampled, so it is the same on every kernel.
        var random = new Random(11);
        var images = Sets.Random(random, 200, 32);
        var texts = Sets.Random(random, 220, 32);
        var distances = BruteForce.AllDistances(images, texts);
        Array.Sort(distances);
        double epsilon = distances[distances.Length / 10];
        var planner = PruningPlanner.Create(images, texts, FiberMetric.Euclidean, ExecutionScope.Serial)!;
        var auto = planner.Choose(epsilon, always: false, forced: null, ExecutionScope.Serial);
        Assert.Equal(0, auto.Dimension);
        Assert.True(auto.EstimatedCost > CostTable.Measured.Worthwhile, $"estimated cost {auto.EstimatedCost}");
        var forced = new ApproximateFiberProduct(images, texts,
            options: new FiberProductOptions { Pruning = PruningMode.Always });
        Assert.Equal(BruteForce.Pairs(images, texts, epsilon), forced.Pairs(epsilon).ToList());
        Assert.True(forced.LastPruning is { Pruned: true, Dimension: > 0 }, "forced pruning did not run");
    }

    [Fact]
    public void Options_AreValidated_AndExtremeDataFallBackToTheFullJoin()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FiberProductOptions { PruningDimension = -1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new FiberProductOptions { Pruning = (PruningMode)7 }.Validate());
        // Magnitudes near float32's limits: heads would overflow, so the join runs unpruned (and exact).
        var random = new Random(2);
        var (images, texts) = (Sets.Random(random, 30, 20, 1e36f), Sets.Random(random, 30, 20, 1e36f));
        var product = new ApproximateFiberProduct(images, texts,
            options: new FiberProductOptions { Pruning = PruningMode.Always });
        double epsilon = BruteForce.AllDistances(images, texts).Order().ElementAt(100);
        Assert.Equal(BruteForce.Pairs(images, texts, epsilon), product.Pairs(epsilon).ToList());
        Assert.Null(product.LastPruning);
    }

    [Fact]
    public void ManyDuplicatePoints_ArePrunedExactly()
    {
        // Three distinct points repeated hundreds of times: the k-d order splits runs of equal keys.
        var random = new Random(5);
        var points = Sets.Random(random, 3, 24);
        var images = EmbeddingSet.FromRows(Enumerable.Range(0, 300).Select(i => points.Row(i % 3).ToArray()).ToList());
        var texts = EmbeddingSet.FromRows(Enumerable.Range(0, 250).Select(j => points.Row(j % 2).ToArray()).ToList());
        foreach (var product in Variants(images, texts))
        {
            foreach (double epsilon in new[] { 0, 1e-7, 0.5, 3 })
                Assert.Equal(BruteForce.Pairs(images, texts, epsilon).Count, product.Count(epsilon));
            AssertPruningRan(product, 0.5);
        }
    }

    [Fact]
    public void LongRows_OfAReorderedResult_ComeBackInColumnOrder()
    {
        // Pruning joins columns in k-d order and sorts each row back: rows from a few to every column (the quicksort
        // above 24 entries, insertion below), with equal distances among them.
        var random = new Random(31);
        var (images, texts) = Structured(31, 90, 700, 24, 3);
        var product = new ApproximateFiberProduct(images, texts, FiberMetric.Euclidean,
            new FiberProductOptions { Pruning = PruningMode.Always });
        var distances = BruteForce.AllDistances(images, texts);
        Array.Sort(distances);
        foreach (double fraction in new[] { 0.01, 0.05, 0.3, 1.0 })
        {
            double epsilon = distances[Math.Min(distances.Length - 1, (int)(distances.Length * fraction))];
            var pairs = product.Pairs(epsilon);
            Assert.Equal(BruteForce.Pairs(images, texts, epsilon), pairs.ToList());
        }
        Assert.True(product.LastPruning is { Dimension: > 0 }, "the join was not reordered");
    }

    [Fact]
    public void ClusterBound_SkipsTilesOfTightClusters_AndKeepsEveryPair()
    {
        // Noisy copies of a few points (like the tiled CLIP pairs): the k-d order puts copies into the same micro-panel
        // and panel, whose balls are small, and the triangle inequality skips whole tiles from the second query on.
        var random = new Random(37);
        var bases = Sets.Random(random, 24, 48);
        EmbeddingSet Copies(int count, double noise) => EmbeddingSet.FromRows(Enumerable.Range(0, count)
            .Select(i => bases.Row(i % bases.Count).ToArray()
                .Select(v => (float)(v + noise * (random.NextDouble() - 0.5))).ToArray()).ToList());
        var images = Copies(720, 0.02);
        var texts = Copies(640, 0.02);
        var distances = BruteForce.AllDistances(images, texts);
        Array.Sort(distances);
        var product = new ApproximateFiberProduct(images, texts, FiberMetric.Euclidean,
            new FiberProductOptions { Pruning = PruningMode.Always });
        long byBalls = 0;
        foreach (double fraction in new[] { 0.001, 0.04, 0.04, 0.2, 1.0 })
        {
            double epsilon = distances[Math.Min(distances.Length - 1, (int)(distances.Length * fraction))];
            Assert.Equal(BruteForce.Pairs(images, texts, epsilon), product.Pairs(epsilon).ToList());
            Assert.Equal(BruteForce.Pairs(images, texts, epsilon).Count, product.Count(epsilon));
            byBalls += product.LastPruning!.SkippedByBalls;
        }
        Assert.True(byBalls > 0, "the cluster bound skipped no tile");
    }

    public static TheoryData<int, int, int, bool> ProductShapes => new()
    {
        { 1, 1, 1, false }, { 5, 7, 16, true }, { 12, 33, 17, false }, { 13, 16, 40, true }, { 37, 64, 31, true },
            { 100, 20, 5, false },
    };

    [Theory]
    [MemberData(nameof(ProductShapes))]
    public void HeadProducts_GatherRows_WholeOrInBlocks(int n, int d, int width, bool ordered)
    {
        // The kernel behind every head: rows gathered through an order, as one row-major array or handed over a
        // micro-panel at a time (each row exactly once, the same values).
        var random = new Random(n * 1000 + d);
        var x = Enumerable.Range(0, n * d).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var w = Enumerable.Range(0, width * d).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var order = ordered ? Enumerable.Range(0, n).OrderBy(_ => random.Next()).ToArray() : null;
        var packed = FiberProduct.Fiber.Kernels.JoinOperands.Pack(w, width, d, (width + 15) / 16);
        var rows = RangeJoin.Products(x, n, d, packed, width, order, new ExecutionScope());
        Assert.Equal(n * width, rows.Length);
        for (int i = 0; i < n; i++)
        {
            int source = order?[i] ?? i;
            for (int c = 0; c < width; c++)
            {
                double exact = 0, magnitude = 0;
                for (int k = 0; k < d; k++)
                {
                    exact += (double)x[source * d + k] * w[c * d + k];
                    magnitude += Math.Abs((double)x[source * d + k] * w[c * d + k]);
                }
                double tolerance = (d + 2) * Math.ScaleB(1, -24) * magnitude;
                Assert.InRange(rows[i * width + c], exact - tolerance, exact + tolerance);
            }
        }
        var seen = new int[n];
        var blocks = new float[n * width];
        RangeJoin.Products(x, n, d, packed, width, order, (i0, count, products) =>
        {
            Assert.InRange(count, 1, TileKernels.Height);
            Assert.Equal(count * width, products.Length);
            for (int i = i0; i < i0 + count; i++) Interlocked.Increment(ref seen[i]);
            products.CopyTo(blocks.AsSpan(i0 * width));
        }, new ExecutionScope());
        Assert.All(seen, s => Assert.Equal(1, s));
        Assert.Equal(rows, blocks);
        // Packing through an order is packing the reordered rows.
        if (order is not null)
        {
            var reordered = order.SelectMany(i => x.AsSpan(i * d, d).ToArray()).ToArray();
            Assert.Equal(FiberProduct.Fiber.Kernels.JoinOperands.Pack(reordered, n, d, (n + 15) / 16),
                FiberProduct.Fiber.Kernels.JoinOperands.Pack(x, n, d, (n + 15) / 16, order));
        }
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(16, 2)]
    [InlineData(194, 3)]
    [InlineData(258, 4)]
    public unsafe void QuantisedHeadTiles_AreExactIntegerDotProducts(int length, int seed)
    {
        // Every back-end's int16 tile against long arithmetic, at the extremes the quantisation allows (|value| and
        // norms up to 2^14 + 9), over a leading part of the coordinates and over all of them.
        var random = new Random(seed);
        const int Lanes = 16, Limit = (1 << 14) + 9;
        short Value() => (short)(random.Next(3) == 0
            ? (random.Next(2) == 0 ? Limit : -Limit) / (int)Math.Ceiling(Math.Sqrt(length))
            : random.Next(-Limit, Limit + 1) / (int)Math.Ceiling(Math.Sqrt(length)));
        const int Height = 12; // the tallest kernel; the others read the first rows
        var x = Enumerable.Range(0, Height * length).Select(_ => Value()).ToArray();
        // column l, coordinate c at [l * length + c]
        var y = Enumerable.Range(0, Lanes * length).Select(_ => Value()).ToArray();
        var panel = new short[Lanes * length];
        for (int l = 0; l < Lanes; l++)
            for (int c = 0; c < length; c++) panel[(c & ~1) * Lanes + l * 2 + (c & 1)] = y[l * length + c];
        void Check<TKernel>(int part) where TKernel : IDotTileKernel
        {
            var output = new int[Height * Lanes];
            fixed (short* px = x)
                fixed (short* py = panel)
                    fixed (int* po = output)
                        TKernel.Compute(px, length, part, py, po);
            for (int r = 0; r < TKernel.Height; r++)
                for (int l = 0; l < Lanes; l++)
                {
                    long exact = 0;
                    for (int c = 0; c < part; c++) exact += (long)x[r * length + c] * y[l * length + c];
                    Assert.Equal(exact, output[r * Lanes + l]);
                }
        }
        foreach (int part in new[] { length, length / 2 & ~1 })
        {
            Check<DotTileScalar>(part);
            if (DotTile256.IsSupported) Check<DotTile256>(part);
            if (DotTile512.IsSupported) Check<DotTile512>(part);
        }
    }

    private static List<FiberPair> NearestByBruteForce(List<FiberPair> pairs, int k) =>
        pairs.GroupBy(p => p.Image).SelectMany(g => g.OrderBy(p => p.Distance).ThenBy(p => p.Text).Take(k)
            .OrderBy(p => p.Text)).ToList();
}
