using FiberProduct.Embedding;
using FiberProduct.Execution;
using FiberProduct.Fiber;
using FiberProduct.Fiber.Exact;
using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Tests.Fiber;

/// <summary>
/// The parts of the ε-join's sweep, each against a plain definition: the tile kernels on integer data (where float32
/// sums are exact, so every product must be the exact integer), the packing of panels, lane masks, the partition step,
/// the pair buffer's regrouping and budget, the directed roundings, and every sink on every kernel against the
/// brute force at tolerances that are pair distances (ties). Fast on purpose: the mutation runs (docs/testing.md) run
/// them once per mutant; <see cref="KernelProperties"/> covers the same ground on random shapes.
/// </summary>
public unsafe class SweepPartsTests
{
    private const int Lanes = JoinOperands.PanelWidth;

    private delegate void FloatTile(float* x, int stride, int length, float* panel, float* output);

    private delegate void ShortTile(short* x, int stride, int length, short* panel, int* output);

    /// <summary>Every kernel this machine runs, by height.</summary>
    private static List<(int Height, FloatTile Floats, ShortTile Shorts)> Kernels()
    {
        var kernels = new List<(int, FloatTile, ShortTile)>
        {
            (DotTileScalar.Height, DotTileScalar.Compute, DotTileScalar.Compute),
        };
        if (DotTile256.IsSupported) kernels.Add((DotTile256.Height, DotTile256.Compute, DotTile256.Compute));
        if (DotTile512.IsSupported) kernels.Add((DotTile512.Height, DotTile512.Compute, DotTile512.Compute));
        return kernels;
    }

    [Fact]
    public void FloatTiles_AreTheExactDotProducts_OnIntegerData_OverALeadingPart()
    {
        var random = new Random(1);
        foreach (var (height, compute, _) in Kernels())
            foreach (var (stride, length) in new[] { (1, 1), (7, 7), (33, 20), (64, 64) })
            {
                // Small integers: every partial sum is an integer below 2^24, so float32 arithmetic is exact.
                var x = Enumerable.Range(0, height * stride).Select(_ => (float)random.Next(-8, 9)).ToArray();
                var panel = Enumerable.Range(0, stride * Lanes).Select(_ => (float)random.Next(-8, 9)).ToArray();
                var output = Enumerable.Repeat(float.NaN, height * Lanes).ToArray();
                fixed (float* px = x) fixed (float* pp = panel) fixed (float* po = output)
                    compute(px, stride, length, pp, po);
                for (int r = 0; r < height; r++)
                    for (int l = 0; l < Lanes; l++)
                    {
                        float expected = 0;
                        for (int k = 0; k < length; k++) expected += x[r * stride + k] * panel[k * Lanes + l];
                        Assert.Equal(expected, output[r * Lanes + l]);
                    }
            }
    }

    [Fact]
    public void ShortTiles_AreTheExactIntegerDotProducts_OverALeadingPart()
    {
        var random = new Random(2);
        foreach (var (height, _, compute) in Kernels())
            foreach (var (stride, length) in new[] { (2, 2), (8, 6), (34, 34), (64, 40) })
            {
                // Values up to ±(2^14 + 16), the bound the heads keep (extremes in the first row), where six
                // coordinates keep every partial sum inside int32; smaller ones for the long rows.
                int bound = length <= 6 ? 16400 : 2000;
                short Value(int i) =>
                    i < stride ? (short)(i % 2 == 0 ? bound : -bound) : (short)random.Next(-bound, bound + 1);
                var x = Enumerable.Range(0, height * stride).Select(Value).ToArray();
                // Panels hold coordinate pairs: pair g, lane l at [g·32 + 2l, g·32 + 2l + 1].
                var panel = Enumerable.Range(0, stride / 2 * 2 * Lanes)
                    .Select(i => (short)random.Next(-bound, bound + 1)).ToArray();
                var output = Enumerable.Repeat(int.MinValue, height * Lanes).ToArray();
                fixed (short* px = x) fixed (short* pp = panel) fixed (int* po = output)
                    compute(px, stride, length, pp, po);
                for (int r = 0; r < height; r++)
                    for (int l = 0; l < Lanes; l++)
                    {
                        long expected = 0;
                        for (int c = 0; c < length; c++)
                            expected += x[r * stride + c] * panel[c / 2 * 32 + 2 * l + c % 2];
                        Assert.Equal(expected, output[r * Lanes + l]);
                    }
            }
    }

    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(17, 5, false)]
    [InlineData(33, 3, true)]
    [InlineData(1100, 1000, true)] // 2^20 floats and more: packed on the scope's workers, 64 panels a slice
    public void Pack_PutsRowOrderOfLaneInItsLane_AndZeroPads(int count, int d, bool reorder)
    {
        var random = new Random(count);
        var y = Enumerable.Range(0, count * d).Select(_ => (float)random.NextDouble() + 1).ToArray();
        int[]? order = reorder ? [.. Enumerable.Range(0, count).OrderBy(_ => random.Next())] : null;
        int panels = (count + Lanes - 1) / Lanes;
        foreach (var scope in new ExecutionScope?[] { null, new ExecutionScope(2) })
        {
            var packed = JoinOperands.Pack(y, count, d, panels, order, scope);
            Assert.Equal(panels * Lanes * d, packed.Length);
            for (int p = 0; p < panels; p++)
                for (int k = 0; k < d; k++)
                    for (int l = 0; l < Lanes; l++)
                    {
                        int j = p * Lanes + l;
                        float expected = j < count ? y[(order is null ? j : order[j]) * d + k] : 0;
                        Assert.Equal(expected, packed[(p * d + k) * Lanes + l]);
                    }
        }
    }

    [Fact]
    public void ValidLanes_AreTheLanesThatHoldAText_AndNextLaneVisitsThemInOrder()
    {
        foreach (int columns in new[] { 1, 5, 15, 16, 17, 31, 32, 33, 100 })
            for (int panel = 0; panel * Lanes < columns; panel++)
            {
                uint mask = RangeJoin.ValidLanes(panel, columns);
                var expected = Enumerable.Range(0, Lanes).Where(l => panel * Lanes + l < columns).ToList();
                var visited = new List<int>();
                while (mask != 0) visited.Add(RangeJoin.NextLane(ref mask));
                Assert.Equal(expected, visited);
            }
    }

    [Theory]
    [InlineData(1, 8, 1)]
    [InlineData(12, 8, 1)]
    [InlineData(13, 8, 2)]
    [InlineData(1000, 8, 8)]
    [InlineData(1000, 0, 1)]
    public void Workers_AreOnePerTwelveRows_WithinTheDegree(int rows, int maxDegree, int expected) =>
        Assert.Equal(expected, RangeJoin.Workers(rows, maxDegree));

    [Fact]
    public void HoarePartition_SplitsAroundTheMedianOfThree_AndCarriesTheItems()
    {
        var random = new Random(4);
        for (int trial = 0; trial < 300; trial++)
        {
            int length = random.Next(1, 40);
            int distinct = trial % 3 == 0 ? 2 : 50; // many ties, or few
            var keys = Enumerable.Range(0, length).Select(_ => (double)random.Next(distinct)).ToArray();
            var items = Enumerable.Range(0, length).ToArray();
            var original = keys.ToArray();
            int left = random.Next(length), right = random.Next(left, length);
            var candidates = new[] { keys[left], keys[left + (right - left) / 2], keys[right] }.Order().ToArray();
            double pivot = candidates[1];
            var (i, j) = HoarePartition.Around(keys, items, left, right);
            Assert.True(j < i);
            for (int k = left; k <= j; k++) Assert.True(keys[k] <= pivot);
            for (int k = i; k <= right; k++) Assert.True(keys[k] >= pivot);
            for (int k = j + 1; k < i; k++) Assert.Equal(pivot, keys[k]);
            for (int k = 0; k < length; k++)
            {
                Assert.Equal(original[items[k]], keys[k]); // items moved with their keys
                if (k < left || k > right) Assert.Equal(k, items[k]); // nothing outside the range moved
            }
        }
    }

    [Fact]
    public void PairBuffer_GrowsAndRegroupsByRowThenColumn_KeepingTheNearest()
    {
        var random = new Random(5);
        var buffer = new PairBuffer();
        var all = new List<(int Row, int Column, double Distance)>();
        int start = 0;
        foreach (int keep in new[] { 0, 2, 1, 0 })
        {
            // A chunk as the sweep writes it: by text block, then row, then column; ties in distance on purpose.
            var chunk = new List<(int Row, int Column, double Distance)>();
            for (int block = 0; block < 3; block++)
                for (int row = 10, rows = random.Next(1, 30); row < 10 + rows; row++)
                    for (int column = block * 20; column < block * 20 + 20; column++)
                        if (random.Next(3) == 0) chunk.Add((row, column, random.Next(4) / 4.0));
            foreach (var (row, column, distance) in chunk) buffer.Add(row, column, distance);
            var expected = chunk.GroupBy(p => p.Row).OrderBy(g => g.Key).SelectMany(g =>
                (keep > 0 ? g.OrderBy(p => p.Distance).ThenBy(p => p.Column).Take(keep) : g).OrderBy(p => p.Column));
            all.AddRange(expected);
            int kept = buffer.RegroupTail(start, keep);
            start = buffer.Count;
            Assert.Equal(expected.Count(), kept);
            Assert.Equal(all.Count, buffer.Count);
            Assert.Equal(all.Select(p => p.Row), buffer.Rows.ToArray());
            Assert.Equal(all.Select(p => p.Column), buffer.Columns.ToArray());
            Assert.Equal(all.Select(p => p.Distance), buffer.Distances.ToArray());
        }
        Assert.Equal(0, buffer.RegroupTail(buffer.Count, 1));
    }

    [Theory]
    [InlineData(64)]  // the initial capacity
    [InlineData(128)] // after one growth
    public void PairBuffer_RegroupsABufferFilledToCapacity(int count)
    {
        // Every slot in use: the regrouping must read the entries only, not the word after the last one.
        var buffer = new PairBuffer();
        for (int k = 0; k < count; k++) buffer.Add(count - k % 7, k, k % 3);
        Assert.Equal(count, buffer.RegroupTail(0, 0));
        var expected = Enumerable.Range(0, count).OrderBy(k => count - k % 7).ThenBy(k => k).ToArray();
        Assert.Equal(expected.Select(k => count - k % 7), buffer.Rows.ToArray());
        Assert.Equal(expected, buffer.Columns.ToArray());
    }

    [Fact]
    public void PairBuffer_BreaksDistanceTiesByTheColumnKey()
    {
        var buffer = new PairBuffer();
        foreach (int column in new[] { 0, 1, 2, 3 }) buffer.Add(7, column, 1.0);
        int[] key = [3, 2, 1, 0]; // the caller's columns run backwards: the last two are the "lowest"
        Assert.Equal(2, buffer.RegroupTail(0, 2, key));
        Assert.Equal(new[] { 2, 3 }, buffer.Columns.ToArray());
    }

    [Fact]
    public void PairBudget_FailsOnlyPastItsMaximum()
    {
        var budget = new PairBudget(10);
        budget.Add(4);
        budget.Add(6); // exactly the maximum is allowed
        Assert.Throws<ResultBudgetExceededException>(() => budget.Add(1));
        Assert.Equal(10, budget.MaxPairs);
    }

    [Fact]
    public void DirectedRoundings_AreTheNeighbouringFloats()
    {
        var random = new Random(6);
        for (int i = 0; i < 10_000; i++)
        {
            double v = i % 10 == 0 ? (float)(random.NextDouble() - 0.5)
                : (random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-30, 30));
            float down = JoinOperands.DownToSingle(v), up = JoinOperands.UpToSingle(v);
            Assert.True(down <= v && MathF.BitIncrement(down) > v, $"down {down} of {v}");
            Assert.True(up >= v && MathF.BitDecrement(up) < v, $"up {up} of {v}");
            if ((float)v == v) Assert.True(down == v && up == v);
        }
    }

    [Fact]
    public void ReferenceDistances_AreTheBruteForceOnes_InEveryMetricAndPrecision()
    {
        var random = new Random(7);
        var images = Sets.Random(random, 5, 11);
        var texts = Sets.Random(random, 6, 11);
        var wide = images.ToDouble();
        foreach (var metric in Enum.GetValues<FiberMetric>())
            for (int i = 0; i < images.Count; i++)
                for (int j = 0; j < texts.Count; j++)
                {
                    double expected = BruteForce.Distance(metric, images.Row(i), texts.Row(j));
                    Assert.Equal(expected, ReferenceDistance.Distance(metric, images, i, texts, j), 12);
                    Assert.Equal(expected, ReferenceDistance.Distance(metric, wide, i, texts, j), 12);
                }
        // (Anti)parallel vectors: the cosine is brought back into [−1, 1].
        var x = EmbeddingSet.FromRows([new float[] { 0.1f, 0.3f, 0.7f }]);
        var minus = EmbeddingSet.FromRows([new float[] { -0.1f, -0.3f, -0.7f }]);
        Assert.InRange(ReferenceDistance.Distance(FiberMetric.Cosine, x, 0, minus, 0), 2 - 1e-12, 2);
        Assert.InRange(ReferenceDistance.Distance(FiberMetric.Angular, x, 0, minus, 0), Math.PI - 1e-6, Math.PI);
        Assert.InRange(ReferenceDistance.Distance(FiberMetric.Angular, x, 0, x, 0), 0, 1e-6);
    }

    private static (EmbeddingSet Images, EmbeddingSet Texts, double[] Epsilons) GridSets(int n, int m, int d, int seed)
    {
        // Grid values: many pairs at the same distance, some texts copies of images (distance 0).
        var random = new Random(seed);
        float Value() => random.Next(-3, 4) / 4f;
        var x = Enumerable.Range(0, n * d).Select(_ => Value()).ToArray();
        var y = new float[m * d];
        for (int j = 0; j < m; j++)
            for (int k = 0; k < d; k++) y[j * d + k] = j % 4 == 0 ? x[j % n * d + k] : Value();
        var images = new EmbeddingSet(x, n, d);
        var texts = new EmbeddingSet(y, m, d);
        var distances = BruteForce.AllDistances(images, texts);
        Array.Sort(distances);
        var epsilons = new List<double> { 0, distances[^1] };
        foreach (double q in new[] { 0.01, 0.2 })
        {
            double tie = distances[(int)(q * (distances.Length - 1))];
            epsilons.AddRange([tie, Math.BitDecrement(tie)]);
        }
        return (images, texts, [.. epsilons.Where(e => e >= 0).Distinct().Order()]);
    }

    private static void RunOnEveryKernel<TSink>(JoinOperands op, double epsilon, int workers, Func<int, TSink> sink)
        where TSink : ITileSink
    {
        var exact = new ExactCheck(op);
        var candidate = new float[op.Rows];
        var sure = new float[op.Rows];
        op.Thresholds(_ => epsilon, candidate, sure, exact);
        RunOnEveryKernel(op, candidate, sure, workers, sink);
    }

    /// <summary>The join of all rows with the given thresholds, on every kernel this machine runs.</summary>
    internal static void RunOnEveryKernel<TSink>(JoinOperands op, float[] candidate, float[] sure, int workers,
        Func<int, TSink> sink) where TSink : ITileSink
    {
        var scope = new ExecutionScope(workers);
        RangeJoin.Run<TSink, NoTileFilter, DotTileScalar>(op, candidate, sure, 0, op.Rows, sink, default, scope);
        if (DotTile256.IsSupported)
            RangeJoin.Run<TSink, NoTileFilter, DotTile256>(op, candidate, sure, 0, op.Rows, sink, default, scope);
        if (DotTile512.IsSupported)
            RangeJoin.Run<TSink, NoTileFilter, DotTile512>(op, candidate, sure, 0, op.Rows, sink, default, scope);
    }

    /// <summary>The pair join on this machine's kernel with a result budget of <paramref name="maxPairs"/>.</summary>
    private static void RunWithBudget(JoinOperands op, ExactCheck exact, double epsilon, int workers, int keep,
        long maxPairs)
    {
        var candidate = new float[op.Rows];
        var sure = new float[op.Rows];
        op.Thresholds(_ => epsilon, candidate, sure, exact);
        var budget = new PairBudget(maxPairs);
        RangeJoin.Run(op, candidate, sure, 0, op.Rows, _ => new PairSink(exact, _ => epsilon, budget, keep),
            default(NoTileFilter), new ExecutionScope(workers));
    }

    /// <summary>Keeps a worker's sink (workers create theirs concurrently).</summary>
    internal static T Collect<T>(List<T> sinks, T sink)
    {
        lock (sinks) sinks.Add(sink);
        return sink;
    }

    internal static int KernelCount => 1 + (DotTile256.IsSupported ? 1 : 0) + (DotTile512.IsSupported ? 1 : 0);

    [Theory]
    [InlineData(5, 3, 3, 1)]
    [InlineData(29, 37, 5, 2)]                           // several micro-panels and panels, a short last one of each
    [InlineData(RangeJoin.ChunkRows + 7, 21, 2, 1)]      // past a chunk of rows on one worker: two chunks
    [InlineData(14, Lanes * RangeJoin.BlockPanels + 5, 3, 2)] // past a block of panels
    public void EverySink_OnEveryKernel_EqualsTheBruteForce(int n, int m, int d, int workers)
    {
        var (images, texts, epsilons) = GridSets(n, m, d, n * 100 + m);
        var op = new JoinOperands(images, texts, FiberMetric.Euclidean);
        var exact = new ExactCheck(op);
        int kernels = KernelCount;
        foreach (double epsilon in epsilons)
        {
            var expected = BruteForce.Pairs(images, texts, epsilon);

            var counts = new List<CountSink>();
            RunOnEveryKernel(op, epsilon, workers, _ => Collect(counts, new CountSink(exact, _ => epsilon)));
            Assert.Equal(kernels * (long)expected.Count, counts.Sum(s => s.Count));

            var rowDegrees = new int[n];
            var degrees = new List<DegreeSink>();
            RunOnEveryKernel(op, epsilon, workers,
                _ => Collect(degrees, new DegreeSink(exact, _ => epsilon, rowDegrees, m)));
            var (expectedRows, expectedColumns) = (new int[n], new int[m]);
            foreach (var pair in expected)
            {
                expectedRows[pair.Image]++;
                expectedColumns[pair.Text]++;
            }
            for (int i = 0; i < n; i++) Assert.Equal(kernels * expectedRows[i], rowDegrees[i]);
            for (int j = 0; j < m; j++)
                Assert.Equal(kernels * expectedColumns[j], degrees.Sum(s => s.ColumnDegrees[j]));

            foreach (int keep in new[] { 0, 1 })
            {
                var sinks = new List<PairSink>();
                RunOnEveryKernel(op, epsilon, workers,
                    _ => Collect(sinks, new PairSink(exact, _ => epsilon, new PairBudget(long.MaxValue), keep)));
                var found = sinks.SelectMany(s => Enumerable.Range(0, s.Buffer.Count)
                    .Select(k => new FiberPair(s.Buffer.Rows[k], s.Buffer.Columns[k], s.Buffer.Distances[k]))).ToList();
                var want = keep == 0 ? expected
                    : expected.GroupBy(p => p.Image)
                        .Select(g => g.OrderBy(p => p.Distance).ThenBy(p => p.Text).First()).ToList();
                Assert.Equal(kernels * want.Count, found.Count);
                var times = found.CountBy(p => p).ToDictionary();
                foreach (var pair in want) Assert.Equal(kernels, times.GetValueOrDefault(pair));

                // The budget counts the pairs kept: exactly that many pass, one fewer fails the query.
                RunWithBudget(op, exact, epsilon, workers, keep, want.Count);
                if (want.Count > 0)
                    Assert.Throws<ResultBudgetExceededException>(
                        () => RunWithBudget(op, exact, epsilon, workers, keep, want.Count - 1));
            }
        }

        // The profile: each pair counted at the first tolerance that holds it, with its distance kept.
        var profiles = new List<ProfileSink>();
        RunOnEveryKernel(op, epsilons[^1], workers, _ => Collect(profiles, new ProfileSink(op, exact, epsilons, true)));
        long previous = 0;
        for (int k = 0; k < epsilons.Length; k++)
        {
            long count = BruteForce.Count(images, texts, epsilons[k]);
            Assert.Equal(kernels * (count - previous), profiles.Sum(s => s.FirstIndexCounts[k]));
            Assert.Equal(kernels * count, profiles.Sum(s => s.Distances.Count(v => v <= epsilons[k])));
            previous = count;
        }
        // The distances themselves: each pair's reference distance, raised just above ε_{k−1} only where rounding put
        // it at or below the tolerance before the first one that holds the pair exactly.
        var first = new Dictionary<(int, int), (int K, double Distance)>();
        for (int k = epsilons.Length - 1; k >= 0; k--)
            foreach (var pair in BruteForce.Pairs(images, texts, epsilons[k]))
                first[(pair.Image, pair.Text)] = (k, pair.Distance); // the distance brought into [0, ε_k]
        var expectedDistances = first.Values
            .Select(f => f.K > 0 && f.Distance <= epsilons[f.K - 1] ? Math.BitIncrement(epsilons[f.K - 1]) : f.Distance)
            .SelectMany(v => Enumerable.Repeat(v, kernels)).Order().ToArray();
        Assert.Equal(expectedDistances, profiles.SelectMany(s => s.Distances).Order().ToArray());
    }

    [Fact]
    public void EverySinkProfile_RaisesADistanceRoundedOntoThePreviousTolerance()
    {
        // The pair (0, 0, 0), (1, 1, 1) lies at √3, and the float64 √3 is below it. With the tolerances √3 (rounded)
        // and the next double, the pair is first held by the second, but its reference distance is the first: the sink
        // must report it just above the first tolerance, or a count at that tolerance would include it.
        var images = EmbeddingSet.FromRows([new float[] { 0, 0, 0 }]);
        var texts = EmbeddingSet.FromRows([new float[] { 1, 1, 1 }]);
        double rounded = Math.Sqrt(3);
        Assert.Equal(rounded, BruteForce.Distance(FiberMetric.Euclidean, images.Row(0), texts.Row(0)));
        double[] epsilons = [rounded, Math.BitIncrement(rounded)];
        var op = new JoinOperands(images, texts, FiberMetric.Euclidean);
        var exact = new ExactCheck(op);
        Assert.False(exact.Within(0, 0, epsilons[0]));
        Assert.True(exact.Within(0, 0, epsilons[1]));
        var profiles = new List<ProfileSink>();
        RunOnEveryKernel(op, epsilons[^1], 1, _ => Collect(profiles, new ProfileSink(op, exact, epsilons, true)));
        Assert.Equal(KernelCount, profiles.Sum(s => s.FirstIndexCounts[1]));
        Assert.All(profiles.SelectMany(s => s.Distances), v => Assert.Equal(epsilons[1], v));
        Assert.Equal(KernelCount, profiles.Sum(s => s.Distances.Count));
    }

    [Fact]
    public void EverySinkPair_KeepingTheNearest_CountsOnlyTheKeptPairs_PastTheReportStep()
    {
        // 100 rows × 48 texts, all within ε, in one chunk: 4800 candidates pass through the sink, more than its 4096
        // report step, but only one pair a row is kept, so a budget of exactly the row count must hold.
        var random = new Random(3);
        var images = Sets.Random(random, 100, 2);
        var texts = Sets.Random(random, 48, 2);
        var op = new JoinOperands(images, texts, FiberMetric.Euclidean);
        var exact = new ExactCheck(op);
        RunWithBudget(op, exact, 1e3, 1, 1, images.Count);
        Assert.Throws<ResultBudgetExceededException>(() => RunWithBudget(op, exact, 1e3, 1, 1, images.Count - 1));
    }
}
